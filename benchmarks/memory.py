#!/usr/bin/env python
"""Memory of the MNIST GAN tutorial loop: peak RSS of a 15,000-iteration run,
and (with --long) RSS after 5,000 vs 50,000 iterations.

    benchmarks/.venv/bin/python benchmarks/memory.py            # 15,000 iterations, about a minute
    benchmarks/.venv/bin/python benchmarks/memory.py --long     # 50,000 iterations, a few minutes

The loop runs in a fresh subprocess (so nothing the parent imported counts):
the tutorial without figures, `datasets.batches(x_train, 128, binarize=True)`,
`inference.update(feed_dict={x_ph: batch})`, `inference.print_progress(info)`
with n_print=1000 (output discarded). The child reads VmRSS and VmHWM from
/proc/self/status after the imports, before training and every 1,000
iterations, and getrusage's ru_maxrss at the end. Peak RSS "over 15,000
iterations" is VmHWM read at iteration 15,000, also in a --long run.

Not a test: it prints a table (and writes JSON with --json).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402

MB = 1024 * 1024


def proc_status():
    """VmRSS and VmHWM of this process in bytes (None off Linux)."""
    out = {"rss": None, "hwm": None}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    out["rss"] = int(line.split()[1]) * 1024
                elif line.startswith("VmHWM:"):
                    out["hwm"] = int(line.split()[1]) * 1024
    except OSError:
        pass
    return out


# ------------------------------------------------------------------ the child
def child(args):
    common.limit_threads(args.threads)
    record = {"start": proc_status()}
    t0 = time.perf_counter()
    import impls
    import numpy as np
    import tensorflow.compat.v1 as tf

    import gan_infer as ed
    from gan_infer import layers
    from gan_infer.models import Uniform

    tf.disable_eager_execution()
    record["imports"] = proc_status()

    ed.set_seed(args.seed)
    (x_train, _), _, _ = ed.datasets.mnist(args.mnist_dir, validation_size=5000, download=False)
    if args.variant == "tutorial":
        x_train_generator = impls.tutorial_generator(x_train, common.M)
    else:
        x_train_generator = ed.datasets.batches(x_train, common.M, binarize=True)
    x_ph = tf.placeholder(tf.float32, [common.M, common.X_DIM])
    _, x, discriminative_network = impls.tutorial_model(tf, layers, Uniform)
    inference = ed.GANInference(data={x: x_ph}, discriminator=discriminative_network)
    inference.initialize(
        optimizer=tf.train.AdamOptimizer(),
        optimizer_d=tf.train.AdamOptimizer(),
        n_iter=args.iterations,
        n_print=1000,
    )
    ed.get_session()
    tf.global_variables_initializer().run()
    record["before_training"] = proc_status()
    checkpoints = {}
    t_train = time.perf_counter()
    for t in range(1, inference.n_iter + 1):
        x_batch = next(x_train_generator)
        info_dict = inference.update(feed_dict={x_ph: x_batch})
        inference.print_progress(info_dict)
        if t % 1000 == 0:
            checkpoints[t] = {**proc_status(), "seconds": time.perf_counter() - t_train}
    inference.finalize()
    record["checkpoints"] = checkpoints
    record["ru_maxrss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    record["seconds"] = time.perf_counter() - t0
    record["last_losses"] = [float(info_dict["loss"]), float(info_dict["loss_d"])]
    record["numpy"] = np.__version__
    with open(args.child, "w") as f:
        json.dump(record, f)


# ----------------------------------------------------------------- the parent
def measure(args):
    with tempfile.TemporaryDirectory(prefix="gan_infer_mem_") as tmp:
        out, log = os.path.join(tmp, "record.json"), os.path.join(tmp, "stderr.log")
        command = [
            sys.executable,
            os.path.abspath(__file__),
            "--child",
            out,
            "--iterations",
            str(args.iterations),
            "--threads",
            str(args.threads),
            "--mnist-dir",
            args.mnist_dir,
            "--seed",
            str(args.seed),
            "--variant",
            args.variant,
        ]
        start = time.perf_counter()
        with open(log, "w") as err:
            code = subprocess.call(command, stdout=subprocess.DEVNULL, stderr=err)
        wall = time.perf_counter() - start
        if code != 0 or not os.path.exists(out):
            with open(log, errors="replace") as f:
                tail = "".join(f.readlines()[-30:])
            raise SystemExit(f"memory run failed (exit {code}):\n{tail}")
        with open(out) as f:
            record = json.load(f)
    record["wall_seconds"] = wall
    return record


def rows_of(record):
    cp = {int(t): values for t, values in record["checkpoints"].items()}  # JSON keys are str

    def mb(value):
        return "—" if value is None else f"{value / MB:,.0f} MB"

    rows = [
        ["RSS after imports (TensorFlow, TFP, gan_infer)", mb(record["imports"]["rss"])],
        [
            "RSS before training (MNIST loaded, graph built, variables initialized)",
            mb(record["before_training"]["rss"]),
        ],
    ]
    for t in (1000, 5000, 15000, 50000):
        if t in cp:
            rows.append([f"RSS after {t:,} iterations", mb(cp[t]["rss"])])
    if 15000 in cp:
        rows.append(["**peak RSS over 15,000 iterations** (VmHWM)", mb(cp[15000]["hwm"])])
    last = max(cp) if cp else None
    if last and last != 15000:
        rows.append([f"peak RSS over {last:,} iterations (VmHWM)", mb(cp[last]["hwm"])])
    rows.append(["ru_maxrss at the end of the run", mb(record["ru_maxrss"])])
    if 5000 in cp and last and last > 5000:
        growth = cp[last]["rss"] - cp[5000]["rss"]
        per = growth / ((last - 5000) / 10000)
        rows.append(
            [
                f"RSS growth 5,000 → {last:,} iterations",
                f"{growth / MB:+,.1f} MB ({per / MB:+,.2f} MB per 10,000 iterations)",
            ]
        )
    if last:
        rows.append(
            [
                f"training time for {last:,} iterations (ms/iteration)",
                f"{cp[last]['seconds']:.1f} s ({1e3 * cp[last]['seconds'] / last:.2f})",
            ]
        )
    return rows


def render(result):
    args = result["args"]
    table = common.markdown_table(["measure", "value"], rows_of(result["record"]))
    return "\n".join(
        [
            f"### Memory: the tutorial loop ({args['variant']} batching, no figures), "
            f"{args['iterations']:,} iterations",
            "",
            table,
            "",
            f"Fresh subprocess, {args['threads']} thread(s); VmRSS / VmHWM from /proc/self/status; "
            f"wall time of the child {result['record']['wall_seconds']:.0f} s.",
        ]
    )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--long",
        action="store_true",
        help="run 50,000 iterations (RSS after 5k vs 50k); takes minutes",
    )
    parser.add_argument(
        "--iterations",
        type=int,
        default=None,
        help="iterations (default 15,000; 50,000 with --long)",
    )
    parser.add_argument(
        "--variant",
        choices=["gan_infer", "tutorial"],
        default="gan_infer",
        help="batching: gan_infer.datasets.batches (default) or the tutorial's own generator",
    )
    parser.add_argument("--threads", type=int, default=common.default_threads())
    parser.add_argument("--mnist-dir", default=common.DEFAULT_MNIST)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.iterations is None:
        args.iterations = 50000 if args.long else 15000
    if args.iterations < 1:
        parser.error("--iterations must be positive")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.child:
        child(args)
        return None
    if not os.path.exists(os.path.join(args.mnist_dir, "train-images-idx3-ubyte.gz")):
        raise SystemExit(f"no MNIST in {args.mnist_dir} (--mnist-dir)")
    print(
        f"memory: {args.iterations:,} tutorial iterations in a subprocess "
        f"({args.variant} batching, {args.threads} thread(s))...",
        flush=True,
    )
    result = {"args": vars(args), "record": measure(args)}
    print(render(result))
    common.write_json(args.json, result)
    return result


if __name__ == "__main__":
    main()
