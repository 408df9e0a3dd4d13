#!/usr/bin/env python
"""Run every benchmark and write the tables to benchmarks/results.md.

    bash benchmarks/setup_env.sh                         # once: TF, JAX, PyTorch
    benchmarks/.venv/bin/python benchmarks/run_all.py    # step time, end to end, memory, DCGAN
    benchmarks/.venv/bin/python benchmarks/run_all.py --long --threads 1
    benchmarks/.venv/bin/python benchmarks/run_all.py --skip-dcgan   # about 5 minutes shorter

Runs step_time.py (step time beside TF1, TF2, JAX and PyTorch; the end-to-end
tutorial loop), memory.py (peak RSS of a 15,000-iteration tutorial run;
RSS after 5k vs 50k iterations with --long) and dcgan.py (the same two
tables for examples/dcgan_mnist.py, step time at batch 32, 128 and 512),
each in its own process with this interpreter, then writes a markdown file
with the machine, the library versions, the thread settings and the command.
Peer libraries that are not installed get a "not installed" row, so the
package's own .venv runs it too.
"""

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402
import dcgan  # noqa: E402
import memory  # noqa: E402
import step_time  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds (default 15)")
    parser.add_argument(
        "--steps-per-round",
        type=int,
        default=200,
        help="steps per implementation per round (default 200)",
    )
    parser.add_argument("--warmup", type=int, default=100, help="warm-up steps (default 100)")
    parser.add_argument(
        "--threads",
        type=int,
        default=common.default_threads(),
        help="threads (and cores) per library (default: usable cores)",
    )
    parser.add_argument("--skip-e2e", action="store_true", help="no end-to-end table")
    parser.add_argument("--skip-memory", action="store_true", help="no memory table")
    parser.add_argument("--skip-dcgan", action="store_true", help="no DCGAN tables")
    parser.add_argument(
        "--dcgan-rounds", type=int, default=5, help="DCGAN: timed rounds per batch size (default 5)"
    )
    parser.add_argument(
        "--long",
        action="store_true",
        help="memory: 50,000 iterations (RSS after 5k vs 50k); adds minutes",
    )
    parser.add_argument(
        "--memory-iterations",
        type=int,
        default=None,
        help="memory: iterations (default 15,000, 50,000 with --long)",
    )
    parser.add_argument("--mnist-dir", default=common.DEFAULT_MNIST)
    parser.add_argument(
        "--output",
        default=os.path.join(HERE, "results.md"),
        help="markdown file to write (default benchmarks/results.md)",
    )
    return parser.parse_args(argv)


def _run(script, options, json_path):
    command = [sys.executable, os.path.join(HERE, script), *options, "--json", json_path]
    code = subprocess.call(command)
    if code != 0 or not os.path.exists(json_path):
        print(f"{script} failed (exit {code})", file=sys.stderr)
        return None
    import json

    with open(json_path) as f:
        return json.load(f)


def main(argv=None):
    args = parse_args(argv)
    invoked = " ".join(
        shlex.quote(a)
        for a in [
            os.path.relpath(sys.executable, os.getcwd())
            if sys.executable.startswith(os.getcwd())
            else sys.executable,
            *sys.argv,
        ]
    )
    machine_before = common.machine_description()
    start = time.perf_counter()
    results = {}
    shared_options = ["--threads", str(args.threads), "--mnist-dir", args.mnist_dir]
    with tempfile.TemporaryDirectory(prefix="gan_infer_bench_") as tmp:
        options = [
            "--rounds",
            str(args.rounds),
            "--steps-per-round",
            str(args.steps_per_round),
            "--warmup",
            str(args.warmup),
            *shared_options,
        ]
        if args.skip_e2e:
            options.append("--skip-e2e")
        results["step"] = _run("step_time.py", options, os.path.join(tmp, "step.json"))
        if not args.skip_memory:
            options = list(shared_options)
            if args.long:
                options.append("--long")
            if args.memory_iterations:
                options += ["--iterations", str(args.memory_iterations)]
            results["memory"] = _run("memory.py", options, os.path.join(tmp, "memory.json"))
        if not args.skip_dcgan:
            options = ["--rounds", str(args.dcgan_rounds), *shared_options]
            if args.skip_e2e:
                options.append("--skip-e2e")
            results["dcgan"] = _run("dcgan.py", options, os.path.join(tmp, "dcgan.json"))
    wall = time.perf_counter() - start
    machine_after = common.machine_description()
    text = render(args, invoked, machine_before, machine_after, results, wall)
    text += kept_sections(args.output)
    with open(args.output, "w") as f:
        f.write(text)
    print(f"\nwrote {os.path.relpath(args.output)} (whole run {wall / 60:.1f} min)")
    return 0 if all(value is not None for value in results.values()) else 1


def kept_sections(path):
    """The sections other scripts wrote into `path` between their markers
    (`<!-- benchmarks/NAME.py: begin -->` ... `end -->`, e.g. bfloat16.py's),
    which this run does not measure and so must not erase."""
    if not os.path.exists(path):
        return ""
    with open(path) as f:
        text = f.read()
    pattern = r"<!-- benchmarks/[\w.]+: begin -->.*?<!-- benchmarks/[\w.]+: end -->"
    return "".join("\n" + block + "\n" for block in re.findall(pattern, text, flags=re.S))


def render(args, invoked, machine, machine_after, results, wall):
    mem = machine["memory_bytes"]
    load_before, load_after = machine["loadavg"], machine_after["loadavg"]

    def load(values):
        return "—" if values is None else " / ".join(f"{v:.2f}" for v in values)

    busy = any(
        values and values[0] > machine["usable_cpus"] * 0.5 for values in (load_before, load_after)
    )
    lines = [
        "# gan_infer benchmarks",
        "",
        f"Generated by `{invoked}` on {machine['date']}; the whole run took {wall / 60:.1f} min.",
        "",
        "## Machine",
        "",
        f"- CPU: {machine['cpu']}, {machine['logical_cpus']} logical CPUs "
        f"({machine['usable_cpus']} usable by this process)",
        f"- memory: {mem / 2**30:.1f} GiB" if mem else "- memory: unknown",
        f"- OS: {machine['os']}; Python {machine['versions']['python']}",
        f"- load average (1 / 5 / 15 min) at the start: {load(load_before)}, "
        f"at the end: {load(load_after)}",
        f"- threads: every library was given {args.threads} thread(s) "
        "(OMP/MKL/OpenBLAS variables, TensorFlow's and PyTorch's thread settings; JAX, "
        "which has no such setting, by pinning its process to that many cores); per "
        "implementation below",
        "",
    ]
    if busy:
        warning = (
            "> **The machine was shared with other work during this run** (load "
            "average above half the cores): medians are noisy (the CPU ms/step column "
            "is less so). Compare rows, not absolute numbers, and rerun on an idle "
            "machine for figures to quote."
        )
        if args.threads > 1:
            warning += (
                " With more than one thread per library, the step times of libraries "
                "whose threads meet at a barrier after every op (PyTorch's OpenMP) "
                "balloon while their threads wait for a busy core: on a shared "
                "machine use `--threads 1`."
            )
        lines += [warning, ""]
    versions = [[name, version or "not installed"] for name, version in machine["versions"].items()]
    lines += (
        ["| library | version |", "|---|---|"]
        + [f"| {name} | {version} |" for name, version in versions]
        + [""]
    )

    step = results.get("step")
    if step is None:
        lines += ["## Step time and end to end", "", "step_time.py failed; see its output.", ""]
    else:
        lines += ["## Step time and end to end", "", step_time.render(step), ""]
    if not args.skip_memory:
        lines += ["## Memory", ""]
        lines += [
            memory.render(results["memory"])
            if results.get("memory")
            else "memory.py failed; see its output.",
            "",
        ]
    if not args.skip_dcgan:
        lines += ["## DCGAN (examples/dcgan_mnist.py)", ""]
        lines += [
            dcgan.render(results["dcgan"])
            if results.get("dcgan")
            else "dcgan.py failed; see its output.",
            "",
        ]
    lines += ["## Method", "", METHOD.strip(), ""]
    return "\n".join(lines)


METHOD = """
- **Step time**: ms per training iteration on one fixed, pre-made batch of 128
  dynamically binarized MNIST digits (data excluded). Every implementation
  does the same math per step: fresh Uniform(-1, 1) noise from the library's
  own generator; both gradients at the current parameters from that batch
  and noise (non-saturating generator loss, sigmoid cross-entropy
  discriminator loss); then both Adam updates (lr 1e-3, betas 0.9/0.999, eps
  1e-8); the two losses come back to Python as floats, as
  `GANInference.update` returns them. gan_infer runs
  `inference.update(feed_dict={x_ph: batch})`; the raw TF1 graph runs one
  `sess.run` per step with two `AdamOptimizer`s; TF2 writes Adam in tf ops
  (TF1's rule) inside one `tf.function`; JAX jits the step with optax.adam
  (donated state, `jax.random` noise inside); PyTorch uses `nn.Sequential`,
  `torch.autograd.grad` per player and two `torch.optim.Adam`;
  `torch.compile` compiles that same step function (with dynamo's
  `trace_autograd_ops`, so the gradients are in the graph; torch.optim's
  steps are separate graphs by design).
- **Math check**: before timing, each implementation is built from the same
  initial parameters and runs 3 steps with the same noise; its losses and
  final parameters are compared with a float64 numpy implementation of the
  same step ("max |Δ|"; TF1's Adam adds eps to sqrt(v) before bias
  correction, torch and optax after it: each is compared with its own rule).
  The timed instance is then built afresh.
- **Timing**: each implementation runs in its own worker process (only its
  library imported); after the build, the first step (tracing / compiling:
  "first step s", which depends on on-disk caches such as TorchInductor's)
  and the warm-up steps, the parent runs round-robin rounds over the
  implementations, the starting one rotating each round. One sample per
  round and implementation = round time / steps. Median, interquartile range
  (25th-75th percentile) and min-max over rounds.
- **End to end**: the tutorial loop without figures, ms per iteration:
  batching with binarization, `inference.update(feed_dict=...)`,
  `inference.print_progress(info)` with n_print=1000 (output discarded),
  with `gan_infer.datasets.batches(x_train, 128, binarize=True)` against the
  tutorial's own wrap-around generator with `np.random.binomial`, on the
  55,000 MNIST training images (`mnist_splits(path, validation_size=5000)`); the
  batching alone below them.
- **DCGAN**: examples/dcgan_mnist.py's model (conv / transposed-conv nets,
  batch norm in training mode in the generator, Adam(2e-4, beta1=0.5)),
  built through gan_infer exactly as the example does, beside the same step
  in raw TF1 ops, a TF2 `tf.function` (and with `jit_compile=True`), JAX
  (`lax.conv_general_dilated`, batch norm by hand, optax) and PyTorch
  (`torch.nn` in NCHW, with TensorFlow's asymmetric 'same' padding made
  explicit), on the first B MNIST images in grey levels at B = 32, 128 and
  512. Same harness as the step-time table, except that every worker
  rebuilds its model for each batch size and a round is ceil(256 / B)
  steps. The math check runs 3 steps at batch 32 from perturbed initial
  values against float64 numpy with a hand-written backward pass. End to
  end: the example's loop at batch 64 without its figures
  (`datasets.batches` + `update` + `print_progress`), against the same
  graph fed by a plain wrap-around numpy generator. `torch.compile` is not
  run by default (`dcgan.py --with-optional`).
- **Memory**: a fresh subprocess runs the same loop (gan_infer batching) and
  reads VmRSS / VmHWM from /proc/self/status every 1,000 iterations, and
  getrusage's ru_maxrss at the end. `make demo`'s figures (matplotlib) are
  not part of it, so the demo's own peak is higher.
"""


if __name__ == "__main__":
    sys.exit(main())
