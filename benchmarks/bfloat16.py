#!/usr/bin/env python
"""bfloat16 beside float32 (`gan_infer.layers.with_precision`) on the tutorial
GAN, the DCGAN of examples/dcgan_mnist.py and the paper's model of
examples/gan_paper_mnist.py: ms per training iteration, and the quality of
the samples at the same iteration over seeds.

    .venv/bin/python benchmarks/bfloat16.py --threads 1                 # timing, ~4 min
    .venv/bin/python benchmarks/bfloat16.py --threads 1 --quality --seeds 1 2 3 \\
        --output docs/benchmarks.md                                      # + quality, ~1 h

Timing: the three models are built twice each (float32, bfloat16) in graphs
and sessions of their own in this one process, as the examples build them,
and fed one fixed batch of MNIST digits (data excluded). After warm-up
steps, rounds alternate the precisions (float32 first in even rounds,
bfloat16 first in odd ones), so that other work on the machine slows both
alike; one sample per round and precision = round time / steps. The table
gives the median with the interquartile range and min-max over rounds, the
CPU time per step (less sensitive to other work than wall time), and the
median over rounds of the paired ratio float32 / bfloat16.

Quality (--quality): each example script trains with --precision float32
and bfloat16 for every seed (alternating, runs kept in --runs-dir so that an
interrupted benchmark resumes), and its 10,000 samples are scored: the
Fréchet distance of the package's MNIST classifier features to the test set
(`gan_infer.criticism`, an FID analogue) for the tutorial and the DCGAN, the
released Parzen protocol (the example's own estimate) for the paper model.

Not a test: it prints tables (and writes them into --output between markers
that benchmarks/run_all.py keeps).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402  (no numerical library at import)

PRECISIONS = ("float32", "bfloat16")
MODELS = ("tutorial", "dcgan", "paper")
TITLES = {
    "tutorial": "tutorial GAN (examples/gan_mnist.py), batch 128",
    "dcgan": "DCGAN (examples/dcgan_mnist.py), batch 64",
    "paper": "paper's model (examples/gan_paper_mnist.py), batch 100",
}
SCRIPTS = {
    "tutorial": "examples/gan_mnist.py",
    "dcgan": "examples/dcgan_mnist.py",
    "paper": "examples/gan_paper_mnist.py",
}
READING = (
    "How to read it: wall times swing on a shared machine (the load average above); the "
    "paired ratio compares float32 and bfloat16 rounds run back to back, and the CPU ms/step "
    "column (the time this process computed) is the steadier measure. \"Within the float32 "
    "seeds' range\" asks whether the bfloat16 mean lies between the best and the worst "
    "float32 seed; Welch's p compares the two means (a high p does not show them equal). The "
    "DCGAN and the paper's model are scored early in training (the iteration is in the "
    "table): the check is that bfloat16 trains as float32 does, not their final quality. Runs"
    " already in --runs-dir are reused, so the minutes in the first line count only this "
    "invocation's work."
)
BEGIN = "<!-- benchmarks/bfloat16.py: begin -->"
END = "<!-- benchmarks/bfloat16.py: end -->"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=common.default_threads())
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds (default 15)")
    parser.add_argument("--steps", type=int, default=20, help="steps per round (default 20)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up steps (default 20)")
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--quality", action="store_true", help="also train and score (long)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument(
        "--tutorial-seeds", type=int, nargs="+", default=None, help="default: --seeds"
    )
    parser.add_argument("--tutorial-iter", type=int, default=15000)
    parser.add_argument("--dcgan-iter", type=int, default=3000)
    parser.add_argument("--paper-iter", type=int, default=5000, help="10 epochs (default)")
    parser.add_argument("--runs-dir", default="runs/bfloat16", help="where the quality runs go")
    parser.add_argument("--mnist-dir", default=common.DEFAULT_MNIST)
    parser.add_argument("--output", default=None, help="markdown file to put the section in")
    parser.add_argument("--json", default=None)
    return parser.parse_args(argv)


# ------------------------------------------------------------------ the models
def build(model, precision, threads, mnist_dir, seed=0):
    """One model of the examples through gan_infer in a graph of its own;
    returns step() running one `inference.update` on a fixed batch."""
    import numpy as np
    import tensorflow.compat.v1 as tf

    import gan_infer as ed
    from gan_infer import layers
    from gan_infer.inferences.optimizers import exponential_decay, linear_ramp
    from gan_infer.models import Uniform

    batch_size = {"tutorial": 128, "dcgan": 64, "paper": 100}[model]
    pixels = common.read_mnist_images(mnist_dir, batch_size).astype(np.float32) / 255.0
    if model == "tutorial":  # dynamically binarized, as the tutorial feeds them
        pixels = (np.random.default_rng(seed).random(pixels.shape) < pixels).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        ed.set_seed(seed)
        x_ph = tf.placeholder(tf.float32, [batch_size, 784])
        generator, discriminator, noise, optimizers = MODEL_BUILDERS[model](
            tf, layers, batch_size, exponential_decay, linear_ramp
        )
        with tf.variable_scope("Gen"):
            low, high = noise
            eps = Uniform(tf.zeros([batch_size, 100]) + low, tf.zeros([batch_size, 100]) + high)
            x = layers.with_precision(generator, precision)(eps)
        inference = ed.GANInference(
            data={x: x_ph}, discriminator=layers.with_precision(discriminator, precision)
        )
        optimizer, optimizer_d = optimizers(inference)
        inference.initialize(
            optimizer=optimizer, optimizer_d=optimizer_d, n_iter=10**9, n_print=10**9
        )
        sess = ed.get_session()
        sess.run(tf.global_variables_initializer())
    feed = {x_ph: pixels}

    def step():
        with graph.as_default():
            return inference.update(feed_dict=feed)

    return step


def tutorial(tf, layers, batch_size, *_):
    def generative_network(eps):
        net = layers.dense(eps, 128, activation=tf.nn.relu)
        return layers.dense(net, 784, activation=tf.sigmoid)

    def discriminative_network(x):
        net = layers.dense(x, 128, activation=tf.nn.relu)
        return layers.dense(net, 1, activation=None)

    def optimizers(_):
        return tf.train.AdamOptimizer(), tf.train.AdamOptimizer()

    return generative_network, discriminative_network, (-1.0, 1.0), optimizers


def dcgan(tf, layers, batch_size, *_):
    init = tf.random_normal_initializer(stddev=0.02)

    def generative_network(eps):
        net = layers.dense(eps, 7 * 7 * 128, kernel_initializer=init)
        net = tf.nn.relu(layers.batch_norm(net, training=True))
        net = tf.reshape(net, [batch_size, 7, 7, 128])
        net = layers.conv2d_transpose(net, 64, 5, strides=2, kernel_initializer=init)
        net = tf.nn.relu(layers.batch_norm(net, training=True))
        net = layers.conv2d_transpose(
            net, 1, 5, strides=2, activation=tf.sigmoid, kernel_initializer=init
        )
        return layers.flatten(net)

    def discriminative_network(x):
        net = tf.reshape(x, [-1, 28, 28, 1])
        net = layers.conv2d(
            net, 64, 5, strides=2, activation=layers.leaky_relu, kernel_initializer=init
        )
        net = layers.conv2d(
            net, 128, 5, strides=2, activation=layers.leaky_relu, kernel_initializer=init
        )
        return layers.dense(layers.flatten(net), 1, activation=None, kernel_initializer=init)

    def optimizers(_):
        return (tf.train.AdamOptimizer(2e-4, beta1=0.5), tf.train.AdamOptimizer(2e-4, beta1=0.5))

    return generative_network, discriminative_network, (-1.0, 1.0), optimizers


def paper(tf, layers, batch_size, exponential_decay, linear_ramp):
    def generative_network(eps):
        init = tf.random_uniform_initializer(-0.05, 0.05)
        net = layers.dense(eps, 1200, activation=tf.nn.relu, kernel_initializer=init)
        net = layers.dense(net, 1200, activation=tf.nn.relu, kernel_initializer=init)
        return layers.dense(net, 784, tf.sigmoid, kernel_initializer=init)

    def discriminative_network(x):
        init = tf.random_uniform_initializer(-0.005, 0.005)
        net = layers.dropout(x, rate=0.2, training=True)
        net = layers.maxout(net, 240, 5, kernel_initializer=init)
        net = layers.dropout(net, rate=0.5, training=True)
        net = layers.maxout(net, 240, 5, kernel_initializer=init)
        net = layers.dropout(net, rate=0.5, training=True)
        return layers.dense(net, 1, activation=None, kernel_initializer=init)

    def optimizers(inference):
        def learning_rate():
            return exponential_decay(0.1, inference.t, 1.000004, minimum=1e-6)

        def momentum():
            return linear_ramp(inference.t // 500, 0.5, 0.7, 0, 249)

        return (
            tf.train.MomentumOptimizer(learning_rate, momentum),
            tf.train.MomentumOptimizer(lambda: 0.5 * learning_rate(), momentum),
        )

    return generative_network, discriminative_network, (-(3**0.5), 3**0.5), optimizers


MODEL_BUILDERS = {"tutorial": tutorial, "dcgan": dcgan, "paper": paper}


# ------------------------------------------------------------------ timing
def time_model(model, args):
    steps = {p: build(model, p, args.threads, args.mnist_dir) for p in PRECISIONS}
    for step in steps.values():
        for _ in range(args.warmup):
            step()
    wall = {p: [] for p in PRECISIONS}
    cpu = {p: [] for p in PRECISIONS}
    for r in range(args.rounds):
        for precision in PRECISIONS if r % 2 == 0 else PRECISIONS[::-1]:
            step = steps[precision]
            start, start_cpu = time.perf_counter(), time.process_time()
            for _ in range(args.steps):
                step()
            wall[precision].append(1000 * (time.perf_counter() - start) / args.steps)
            cpu[precision].append(1000 * (time.process_time() - start_cpu) / args.steps)
    ratios = [a / b for a, b in zip(wall["float32"], wall["bfloat16"])]
    return {"wall": wall, "cpu": cpu, "ratios": ratios}


# ------------------------------------------------------------------ quality
def quality_runs(args):
    """Train every (model, seed, precision) the examples' way, alternating the
    precisions; a run whose results exist is not run again."""
    iterations = {
        "tutorial": args.tutorial_iter,
        "dcgan": args.dcgan_iter,
        "paper": args.paper_iter,
    }
    runs = []
    for model in args.models:
        for seed in seeds_of(model, args):
            for precision in PRECISIONS:
                out_dir = os.path.join(args.runs_dir, model, f"{precision}-seed{seed}")
                runs.append((model, seed, precision, out_dir))
                done = os.path.join(out_dir, "samples.npy" if model != "paper" else "metrics.json")
                if os.path.exists(done) and os.path.exists(os.path.join(out_dir, "seconds.json")):
                    continue
                command = [sys.executable, SCRIPTS[model], "--seed", str(seed)]
                command += ["--precision", precision, "--out-dir", out_dir]
                command += ["--data-dir", args.mnist_dir]
                if model == "paper":
                    command += ["--n-iter", str(iterations[model]), "--eval-every", "100000"]
                    command += ["--n-print", str(iterations[model])]
                else:
                    command += ["--n-iter", str(iterations[model])]
                    command += ["--n-print", str(max(1, iterations[model] // 5))]
                print(" ".join(command), flush=True)
                start = time.perf_counter()
                subprocess.run(command, check=True, cwd=common.REPO_ROOT, stdout=subprocess.DEVNULL)
                with open(os.path.join(out_dir, "seconds.json"), "w") as f:
                    json.dump({"seconds": time.perf_counter() - start}, f)
    return runs, iterations


def seeds_of(model, args):
    return args.tutorial_seeds if model == "tutorial" and args.tutorial_seeds else args.seeds


def score_runs(runs, args):
    """The score of each run: Fréchet distance of classifier features
    (tutorial, DCGAN; lower is better) or the Parzen estimate (paper; nats,
    higher is better)."""
    import numpy as np

    from gan_infer.criticism.classifier import load_classifier
    from gan_infer.criticism.metrics import frechet_distance
    from gan_infer.datasets import mnist_splits

    classifier = test_features = None
    scores = []
    for model, seed, precision, out_dir in runs:
        with open(os.path.join(out_dir, "seconds.json")) as f:
            seconds = json.load(f)["seconds"]
        if model == "paper":
            with open(os.path.join(out_dir, "metrics.json")) as f:
                last = json.load(f)["parzen"][-1]
            score = last["mean"]
        else:
            if classifier is None:
                classifier = load_classifier(data_dir=args.mnist_dir)
                x_test = mnist_splits(args.mnist_dir, validation_size=5000)[2][0]
                test_features = classifier.features(x_test / 255.0)
            samples = np.load(os.path.join(out_dir, "samples.npy"))
            score = frechet_distance(test_features, classifier.features(samples))
        scores.append(
            dict(model=model, seed=seed, precision=precision, score=float(score), seconds=seconds)
        )
    return scores


# ------------------------------------------------------------------ report
def spread(values):
    mean = statistics.mean(values)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return mean, std


def timing_table(timings):
    lines = [
        "| model | precision | median ms/step | IQR | min–max | CPU ms/step | float32 / bfloat16 "
        "(paired, median [IQR]) |",
        "|---|---|---|---|---|---|---|",
    ]
    for model, result in timings.items():
        ratio = common.summarize(result["ratios"])
        for precision in PRECISIONS:
            wall = common.summarize(result["wall"][precision])
            cpu = statistics.median(result["cpu"][precision])
            paired = (
                f"**{ratio['median']:.2f}×** [{ratio['q1']:.2f}–{ratio['q3']:.2f}]"
                if precision == "bfloat16"
                else ""
            )
            lines.append(
                f"| {TITLES[model]} | {precision} | {wall['median']:.2f} | "
                f"{wall['q1']:.2f}–{wall['q3']:.2f} | {wall['min']:.2f}–{wall['max']:.2f} | "
                f"{cpu:.2f} | {paired} |"
            )
    return "\n".join(lines)


def quality_table(scores, iterations):
    from scipy.stats import ttest_ind

    lines = [
        "| model | at iteration | score | float32 seeds | bfloat16 seeds | float32 mean ± std | "
        "bfloat16 mean ± std | bfloat16 mean within float32 seeds' range | Welch p | "
        "median s per run (float32 / bfloat16) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for model in MODELS:
        values = {
            p: [s["score"] for s in scores if s["model"] == model and s["precision"] == p]
            for p in PRECISIONS
        }
        if not values["float32"]:
            continue
        metric = "Parzen nats (↑)" if model == "paper" else "Fréchet distance (↓)"
        (m32, s32), (m16, s16) = spread(values["float32"]), spread(values["bfloat16"])
        within = min(values["float32"]) <= m16 <= max(values["float32"])
        p_value = ttest_ind(values["float32"], values["bfloat16"], equal_var=False).pvalue
        seconds = [
            statistics.median(
                s["seconds"] for s in scores if s["model"] == model and s["precision"] == p
            )
            for p in PRECISIONS
        ]
        lines.append(
            f"| {TITLES[model]} | {iterations[model]:,} | {metric} | "
            f"{', '.join(f'{v:.1f}' for v in values['float32'])} | "
            f"{', '.join(f'{v:.1f}' for v in values['bfloat16'])} | {m32:.1f} ± {s32:.1f} | "
            f"{m16:.1f} ± {s16:.1f} | {'yes' if within else '**no**'} | {p_value:.2f} | "
            f"{seconds[0]:.0f} / {seconds[1]:.0f} |"
        )
    return "\n".join(lines)


def render(args, machine, machine_after, support, timings, scores, iterations, wall):
    def load(values):
        return "—" if values is None else " / ".join(f"{v:.2f}" for v in values)

    lines = [
        BEGIN,
        "## bfloat16 beside float32 (`layers.with_precision`)",
        "",
        f"Generated by `{' '.join(sys.argv)}` on {machine['date']} ({wall / 60:.0f} min); "
        f"CPU {machine['cpu']}, {machine['usable_cpus']} usable cores; bfloat16 here: "
        f"{'fast' if support.fast else 'NOT fast'} ({support.how}); TensorFlow "
        f"{machine['versions']['tensorflow']}; load average (1 / 5 / 15 min) at the start "
        f"{load(machine['loadavg'])}, at the end {load(machine_after['loadavg'])}.",
        "",
    ]
    if timings:
        lines += [
            f"### Step time ({args.threads} thread(s), fixed batch, data excluded; "
            f"{args.rounds} rounds of {args.steps} steps, precisions alternating)",
            "",
            timing_table(timings),
            "",
        ]
    if scores:
        lines += [
            "### Quality at the same iteration",
            "",
            quality_table(scores, iterations),
            "",
            "Each run is the example script (`--precision float32|bfloat16 --seed s`, all "
            "cores, the precisions alternating run by run); its 10,000 samples scored by the "
            "Fréchet distance of the package's MNIST classifier features to the 10,000 test "
            "images, or (paper's model) by the example's own Parzen estimate (released "
            "protocol, ± its standard error not shown). The wall time per run includes start-up, "
            "figures and sampling, on a shared machine: the step-time table is the measure "
            "of speed.",
            "",
            READING,
            "",
        ]
    lines.append(END)
    return "\n".join(lines)


def write_section(path, section):
    """Put `section` into the markdown file `path`, replacing an earlier one."""
    text = open(path).read() if os.path.exists(path) else ""
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(path, "w") as f:
        f.write(text)


def main(argv=None):
    args = parse_args(argv)
    common.limit_threads(args.threads)
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    tf.compat.v1.disable_eager_execution()
    from gan_infer import layers

    machine, start = common.machine_description(), time.perf_counter()
    support = layers.bfloat16_support()
    print(f"bfloat16 on this machine: {support}", flush=True)
    timings = {}
    if not args.skip_timing:
        for model in args.models:
            timings[model] = time_model(model, args)
            print(timing_table({model: timings[model]}), flush=True)
    scores, iterations = [], {}
    if args.quality:
        runs, iterations = quality_runs(args)
        scores = score_runs(runs, args)
        print(quality_table(scores, iterations), flush=True)
    section = render(
        args,
        machine,
        common.machine_description(),
        support,
        timings,
        scores,
        iterations,
        time.perf_counter() - start,
    )
    print(section)
    if args.output:
        write_section(args.output, section)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"timings": timings, "scores": scores, "support": support._asdict()}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
