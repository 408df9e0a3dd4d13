#!/usr/bin/env python
"""Step time of the DCGAN of examples/dcgan_mnist.py at batch 32, 128 and
512: gan_infer beside the same model written directly in TF1, TF2, JAX and
PyTorch; and the example's training loop end to end at its batch of 64.

    benchmarks/.venv/bin/python benchmarks/dcgan.py                 # 4-5 minutes on 2 cores
    benchmarks/.venv/bin/python benchmarks/dcgan.py --rounds 1 --examples-per-round 64 --warmup 0
    benchmarks/.venv/bin/python benchmarks/dcgan.py --with-optional  # also torch.compile

The harness of step_time.py (see there): one worker process per
implementation, interleaved rounds with a rotating start after every worker
has built its model, run its first step and its warm-up steps; the median
over rounds with the interquartile range. Here each worker rebuilds its
model for each batch size, and a round runs ceil(E / batch) steps per
implementation, E = --examples-per-round, so that a round costs about the
same at every batch size.

Math check: before timing, each implementation is built at --check-batch
(default 32) from perturbed initial values (random biases, betas, gammas)
and runs --check-steps steps with the same noise; its losses and final
parameters are compared with a float64 numpy implementation with a
hand-written backward pass (`dcgan_impls.reference_steps`; the two biases that
feed batch norm, whose gradient is zero, are not compared).

End to end: the example's loop without its figures,
`ed.datasets.batches(x_train, 64)`, `inference.update(feed_dict=...)`,
`inference.print_progress(info)` (n_print 500, output to /dev/null), against
the same graph fed by a plain wrap-around numpy generator; plus the batching
alone.

Not a test: it prints tables (and writes JSON with --json).
"""

import argparse
import math
import multiprocessing
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402  (light: no numerical library at import)
import dcgan_impls  # noqa: E402  (numpy only at import)
import step_time  # noqa: E402

KEYS = list(dcgan_impls.STEP_IMPLS) + list(dcgan_impls.E2E_IMPLS)
# Not run unless asked for: torch.compile compiles the step twice, for the
# first batch shape and then with a dynamic batch (about 30 s each on 2 busy
# cores), which would add a minute and a half to the default run.
OPTIONAL = ("torch_compile",)


def steps_per_round(args, batch_size):
    return math.ceil(args.examples_per_round / batch_size)


def _steps(n):
    return f"{n} step{'' if n == 1 else 's'}"


def selected(key, args):
    if args.only:
        return key in args.only
    return key not in OPTIONAL or args.with_optional


def run_step_time(cfg, args):
    """Check each implementation once, then time all of them at each batch
    size in turn (the same worker processes, models rebuilt)."""
    ctx = multiprocessing.get_context("spawn")
    workers = [
        step_time.Worker(ctx, key, label, cfg)
        for key, (label, _, _) in dcgan_impls.STEP_IMPLS.items()
        if selected(key, args)
    ]
    if args.check_steps > 0:
        print(
            f"\n== DCGAN math check ({_steps(args.check_steps)} at batch {args.check_batch})",
            flush=True,
        )
        batch, _ = dcgan_impls.grey_batch(args.mnist_dir, args.check_batch)
        params = dcgan_impls.init_params(args.seed, perturbed=True)
        noises = step_time.check_noises(args.seed, args.check_steps, args.check_batch)
        references = {}  # Adam rule -> reference result

        def reference(adam):
            if adam not in references:
                references[adam] = dcgan_impls.reference_steps(params, batch, noises, adam)
            return references[adam]

        for worker in workers:
            worker.build({"batch": batch, "params": params})
            step_time.math_check(worker, noises, args.check_tol, reference)
            c = worker.check
            print(
                f"  {worker.label}: "
                + (
                    worker.status
                    if c is None
                    else f"{'ok' if c['ok'] else 'FAIL'} (loss {c['loss_err']:.1e}, "
                    f"params {c['param_err']:.1e})"
                ),
                flush=True,
            )
    tables = []
    for size in args.batch_sizes:
        batch, source = dcgan_impls.grey_batch(args.mnist_dir, size)
        steps = steps_per_round(args, size)
        print(f"\n== DCGAN step time, batch {size} ({_steps(steps)} per round)", flush=True)
        for worker in workers:  # built one at a time: each build and first step has the machine
            worker.clear_samples()
            worker.build({"batch": batch})
            step_time.warm_up(worker, args.warmup)
        step_time.timed_rounds(workers, args.rounds, steps)
        tables.append(
            {
                "batch_size": size,
                "steps_per_round": steps,
                "batch_source": source,
                "rows": step_time.summarize_workers(workers, "gan_infer"),
            }
        )
    for worker in workers:
        if worker.status == "ok":
            worker.stop()
    return {"tables": tables}


def run_e2e(cfg, args):
    group = argparse.Namespace(
        only=[key for key in dcgan_impls.E2E_IMPLS if selected(key, args)],
        warmup=args.warmup,
        rounds=args.rounds,
        steps_per_round=steps_per_round(args, dcgan_impls.E2E_BATCH),
    )
    workers = step_time.run_group(
        f"DCGAN end to end (the example's loop, batch {dcgan_impls.E2E_BATCH}, MNIST)",
        dcgan_impls.E2E_IMPLS,
        {**cfg, "quiet_stdout": True},
        group,
        check=False,
    )
    return {
        "steps_per_round": group.steps_per_round,
        "rows": step_time.summarize_workers(workers, "e2e_gan_infer"),
    }


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument(
        "--examples-per-round",
        type=int,
        default=256,
        help="images per implementation per round; steps per round = "
        "ceil(this / batch) (default 256: 8, 2 and 1 steps at batch 32, "
        "128 and 512, 4 at the end-to-end batch of 64)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="untimed steps per implementation after the first (default 1)",
    )
    parser.add_argument(
        "--batch-sizes",
        type=int,
        nargs="+",
        default=[32, 128, 512],
        metavar="B",
        help="step-time batch sizes (default 32 128 512)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=common.default_threads(),
        help="threads (and cores) for every library (default: usable cores, "
        f"{common.default_threads()} here)",
    )
    parser.add_argument("--skip-e2e", action="store_true", help="only the step-time tables")
    parser.add_argument("--skip-step", action="store_true", help="only the end-to-end table")
    parser.add_argument(
        "--only",
        nargs="*",
        metavar="KEY",
        choices=KEYS,
        help="only these implementations: " + ", ".join(KEYS),
    )
    parser.add_argument(
        "--with-optional",
        action="store_true",
        help="also the rows not run by default: " + ", ".join(OPTIONAL),
    )
    parser.add_argument(
        "--check-batch", type=int, default=32, help="batch size of the math check (default 32)"
    )
    step_time.add_shared_arguments(parser)
    args = parser.parse_args(argv)
    if (
        args.rounds < 1
        or args.examples_per_round < 1
        or args.warmup < 0
        or args.threads < 1
        or args.check_batch < 1
        or min(args.batch_sizes) < 1
    ):
        parser.error("--rounds, --examples-per-round, --threads and batch sizes must be positive")
    return args


def main(argv=None):
    args = parse_args(argv)
    cfg = {
        "impls": "dcgan_impls",
        "params": dcgan_impls.init_params(args.seed),
        "threads": args.threads,
        "seed": args.seed,
        "mnist_dir": args.mnist_dir,
    }
    print(
        f"DCGAN: threads per library: {args.threads}; {args.rounds} rounds of "
        f"~{args.examples_per_round} images per implementation after {args.warmup} warm-up "
        f"steps; batch sizes {' '.join(map(str, args.batch_sizes))}"
    )
    step_time.busy_warning(args.threads)
    results = {"args": vars(args)}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gan_infer_bench_") as log_dir:
        cfg["log_dir"] = log_dir
        if not args.skip_step and any(selected(key, args) for key in dcgan_impls.STEP_IMPLS):
            results["step"] = run_step_time(cfg, args)
        if not args.skip_e2e and any(selected(key, args) for key in dcgan_impls.E2E_IMPLS):
            step_time.run_e2e_if_mnist(results, args, lambda: run_e2e(cfg, args))
    return step_time.report(results, start, args, render)


# ------------------------------------------------------------------ the tables
def _median_or_status(row):
    if "stats" in row:
        return common.fmt(row["stats"]["median"], 1)
    if row["status"] == "skip":
        return row.get("detail") or "not installed"
    return "error" if row["status"] == "error" else "no samples"


def summary_table(step, with_check):
    """One row per implementation: median ms/step at each batch size, the
    growth from the smallest to the largest batch, the math check."""
    tables = step["tables"]
    sizes = [t["batch_size"] for t in tables]
    header = ["implementation"] + [f"batch {size}" for size in sizes]
    if len(sizes) > 1:
        header.append(f"time {sizes[-1]} / {sizes[0]} (images × {sizes[-1] / sizes[0]:g})")
    if with_check:
        header.append("math check (max |Δ| vs float64)")
    out = []
    for i, row in enumerate(tables[0]["rows"]):
        rows = [t["rows"][i] for t in tables]
        cells = [row["label"]] + [_median_or_status(r) for r in rows]
        if len(sizes) > 1:
            first, last = rows[0].get("stats"), rows[-1].get("stats")
            cells.append(common.fmt(last["median"] / first["median"], 1) if first and last else "—")
        if with_check:
            c = row.get("check")
            cells.append(
                "—"
                if c is None
                else f"{'ok' if c['ok'] else 'FAIL'}: loss "
                f"{c['loss_err']:.1e}, params {c['param_err']:.1e}"
            )
        out.append(cells)
    return common.markdown_table(header, out)


def render(results):
    """The DCGAN tables as markdown."""
    args = results["args"]
    parts = []
    optional = [key for key in OPTIONAL if not (args["only"] or args["with_optional"])]
    if "step" in results and results["step"]["tables"]:
        step = results["step"]
        tables = step["tables"]
        heading = (
            "### DCGAN step time: median ms per training iteration by batch size "
            "(fixed batch, data excluded)"
        )
        parts += [heading, "", summary_table(step, with_check=args["check_steps"] > 0), ""]
        notes = [
            (
                f"Batches: the first B MNIST training images ({tables[0]['batch_source']}), "
                "grey levels in [0, 1]."
            )
        ]
        if args["check_steps"] > 0:
            notes.append(
                f"Math check: {args['check_steps']} steps at batch "
                f"{args['check_batch']} from perturbed initial values, against float64 "
                f"numpy with a hand-written backward pass (tolerance "
                f"{args['check_tol']:g}; the two biases that feed batch norm, whose "
                "gradient is zero, are left out)."
            )
        if "jax" in [row["key"] for row in tables[0]["rows"]]:
            notes.append(
                "Most of the JAX row is the kernel gradient of its transposed "
                "convolutions, an input-dilated convolution that XLA:CPU runs slowly "
                "(lax.conv_transpose, which flax's ConvTranspose calls, builds the same "
                "one)."
            )
        if optional:
            labels = ", ".join(dcgan_impls.STEP_IMPLS[key][0] for key in optional)
            notes.append(
                f"Not run by default: {labels} (it compiles the step twice, for the "
                "first batch shape and then with a dynamic batch, about 30 s each on 2 "
                "busy cores); `dcgan.py --with-optional` adds it."
            )
        parts += [" ".join(notes), ""]
        for table in tables:
            heading = (
                f"#### Batch {table['batch_size']} ({_steps(table['steps_per_round'])} per round)"
            )
            parts += [heading, "", step_time.step_table(table["rows"], with_check=False), ""]
        parts += ["Threads used:", "", step_time.threads_table(tables[0]["rows"]), ""]
    if "e2e" in results:
        heading = (
            f"### DCGAN end to end: ms per iteration of the example's loop at batch "
            f"{dcgan_impls.E2E_BATCH} (batching + update + print_progress, no figures; "
            f"{_steps(results['e2e']['steps_per_round'])} per round)"
        )
        parts += [heading, "", step_time.step_table(results["e2e"]["rows"], with_check=False), ""]
    elif "e2e_skipped" in results:
        parts += [f"DCGAN end to end skipped: {results['e2e_skipped']}.", ""]
    parts.append(
        f"{args['rounds']} interleaved rounds per table, each of ceil("
        f"{args['examples_per_round']} / batch) steps per implementation, after the "
        f"first step and {args['warmup']} warm-up steps; one sample per round (round "
        f"time / steps); IQR = 25th–75th percentile over rounds; CPU ms/step as "
        f"above; {args['threads']} thread(s) per library; harness time "
        f"{results['seconds']:.0f} s."
    )
    return "\n".join(parts)


if __name__ == "__main__":
    main()
