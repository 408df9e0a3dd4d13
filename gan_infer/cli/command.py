"""`gan-infer`'s entry point: parse the command line, run the command, map errors to exit codes.

Exit codes: 0 success, 1 a runtime failure (a NaN loss, a data error),
2 a usage error (a bad flag or value; argparse's convention), 130
interrupted by Ctrl-C (after saving a checkpoint: the same command resumes).
Errors print one line on stderr; --debug (or GAN_INFER_DEBUG=1) adds the
traceback. TensorFlow's start-up logs stay off the console
(`gan_infer.console`); --verbose (or GAN_INFER_VERBOSE=1) shows them.

#### Examples

```python
from gan_infer.cli.command import main

assert main(["evaluate", "runs/ring/samples.npy", "--toy", "ring"]) == 0
```
"""

import json
import os
import sys
import traceback

from gan_infer import console
from gan_infer.cli.evaluation import evaluate
from gan_infer.cli.options import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    TRAIN_OPTIONS,
    Interrupted,
    UsageError,
)
from gan_infer.cli.parser import build_parser
from gan_infer.cli.run_folder import jsonable, latest_checkpoint
from gan_infer.cli.sampling import sample
from gan_infer.cli.sweep import run_sweep
from gan_infer.cli.training import train

__all__ = ["DEBUG_ENV_VAR", "main"]

DEBUG_ENV_VAR = "GAN_INFER_DEBUG"


def _run_train(args):
    try:
        options = {option: getattr(args, option) for option in TRAIN_OPTIONS}
        train(args.model, args.out, data=args.data, image_size=args.image_size, **options)
    except FloatingPointError as error:
        # The learning rate is part of a run's options (see RUN_OPTIONS).
        raise FloatingPointError(
            f"{error} From the command line: train with a lower --learning-rate into another --out."
        ) from None
    except KeyboardInterrupt:
        kept = latest_checkpoint(args.out)
        raise Interrupted(
            f"interrupted; the latest checkpoint is {kept}. Run the same command again to "
            "resume from it."
            if kept
            else "interrupted before the first checkpoint. Run the same command again to start "
            "over."
        ) from None
    return EXIT_OK


def _run_sample(args):
    samples = sample(args.checkpoint, n=args.n, output=args.output, seed=args.seed)
    print(f"Wrote {len(samples)} samples to {args.output}")
    return EXIT_OK


def _run_evaluate(args):
    metrics = evaluate(
        args.samples,
        data_dir=args.data_dir,
        labels=args.labels,
        parzen=args.parzen,
        toy=args.toy,
        output=args.output,
        data=args.data,
    )
    print(json.dumps(metrics, indent=2, default=jsonable))
    return EXIT_OK


def _run_sweep(args):
    return run_sweep(args.config, out_dir=args.out, address=args.address, num_cpus=args.num_cpus)


_RUNS = {"train": _run_train, "sample": _run_sample, "evaluate": _run_evaluate, "sweep": _run_sweep}


def main(argv=None):
    """Run `gan-infer` with `argv` (default: sys.argv[1:]); returns the exit code.

    #### Examples

    ```python
    assert main(["evaluate", "runs/ring/samples.npy", "--toy", "ring"]) == 0
    ```
    """
    # `import gan_infer` quieted TensorFlow's start-up logs (gan_infer.console);
    # TensorFlow is imported by the commands, after this.
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help (0) or a usage error (2), already printed
        return exit_.code
    if args.verbose:
        console.show_tensorflow_logs()
    debug = args.debug or os.environ.get(DEBUG_ENV_VAR, "") not in ("", "0")
    command = f"gan-infer {args.command}"
    try:
        return _RUNS[args.command](args)
    except UsageError as error:
        return _fail(EXIT_USAGE, f"{command}: error: {error.for_command_line()}", debug)
    except (Interrupted, KeyboardInterrupt) as error:
        return _fail(EXIT_INTERRUPTED, f"{command}: {error or 'interrupted.'}", debug)
    except Exception as error:  # pylint: disable=broad-except
        # One line for anything else: the package's messages say what went wrong and what to do.
        return _fail(EXIT_FAILURE, f"{command}: error: {type(error).__name__}: {error}", debug)


def _fail(code, message, debug):
    if debug:
        traceback.print_exc()
    print(" ".join(message.split()), file=sys.stderr, flush=True)  # one line, whatever it says
    return code
