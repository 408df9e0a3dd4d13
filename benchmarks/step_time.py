#!/usr/bin/env python
"""Step time of the MNIST GAN tutorial model: gan_infer beside the same model
written directly in TF1, TF2, JAX and PyTorch; and the end-to-end tutorial loop.

    benchmarks/.venv/bin/python benchmarks/step_time.py              # all rows
    benchmarks/.venv/bin/python benchmarks/step_time.py --rounds 3 --steps-per-round 50
    .venv/bin/python benchmarks/step_time.py --skip-e2e    # peers missing: "not installed" rows

Each implementation lives in its own worker process (started with `spawn`, so
each imports only its own library and keeps its own thread pools); the
parent sends "run N steps" to the workers in turn: round-robin over the
implementations, the starting one rotating each round, after every worker has
built its model, passed the math check and run its warm-up steps. A round's
time divided by its step count is one sample; the tables give the median over
rounds with the interquartile range and min-max.

Step time (item 1): a fixed, pre-made binarized batch; each step draws fresh
noise, computes both players' gradients at the current parameters from that
batch and noise, applies both Adam updates, and returns the two losses to
Python. Before timing, each implementation runs --check-steps steps from the
same initial parameters with the same noise and is compared with a float64
numpy reference of the same math (`impls.reference_steps`).

End to end (item 2): the tutorial loop without figures: next batch (with
dynamic binarization), `inference.update(feed_dict=...)`,
`inference.print_progress(info)` with n_print=1000 (its output to /dev/null),
for gan_infer's `datasets.batches(x_train, 128, binarize=True)` and for the
tutorial's own generator with `np.random.binomial`; plus the batching alone.

Not a test: it prints tables (and writes JSON with --json).
"""

import argparse
import importlib
import multiprocessing
import os
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402  (light: no numerical library at import)


# ---------------------------------------------------------------- the worker
def _worker(conn, key, cfg):
    """Build implementation `key` of module cfg["impls"] (default impls),
    then serve commands until "stop"."""
    common.limit_threads(cfg["threads"])
    if cfg.get("log_dir"):
        # TensorFlow's C++ start-up lines (oneDNN, CUDA probing) ignore
        # TF_CPP_MIN_LOG_LEVEL in 2.21: keep them, and any crash output, in a
        # log the parent shows when this worker fails.
        log = os.open(
            os.path.join(cfg["log_dir"], f"{key}.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644
        )
        os.dup2(log, 2)
        os.close(log)
    if cfg.get("quiet_stdout"):
        # print_progress writes here: keep the cost of formatting and writing,
        # not the noise in the tables.
        sys.stdout = open(os.devnull, "w")
    import impls as mlp_impls  # Missing lives here, whatever module builds the rows

    impls = importlib.import_module(cfg.get("impls", "impls"))
    impl = None
    while True:
        command, arg = conn.recv()
        try:
            if command == "stop":
                break
            if command == "build":
                # Every build starts from cfg["params"] with fresh optimizer
                # state: the math check gets its own instance, and the timed
                # one then traces / compiles its own path from scratch. `arg`
                # overrides entries of cfg (another batch, other parameters).
                impl = None
                _reset_graph()
                start = time.perf_counter()
                impl = impls.build(key, {**cfg, **(arg or {})})
                conn.send(("ok", {"build_s": time.perf_counter() - start, **impl.info}))
            elif command == "check":
                losses = [impl.check_step(z) for z in arg]
                conn.send(("ok", {"losses": losses, "params": impl.params()}))
            elif command == "first":  # the first timed-path step: tracing / compiling
                start = time.perf_counter()
                out = impl.step()
                conn.send(("ok", {"seconds": time.perf_counter() - start, "losses": out}))
            elif command == "run":
                step = impl.step
                cpu, start = time.process_time(), time.perf_counter()
                for _ in range(arg):
                    out = step()
                seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
                conn.send(("ok", {"seconds": seconds, "cpu_seconds": cpu, "losses": out}))
        except mlp_impls.Missing as error:
            conn.send(("skip", str(error)))
        except Exception:  # noqa: BLE001 - reported as the row's status
            conn.send(("error", traceback.format_exc()))
    conn.close()


def _reset_graph():
    """A fresh default graph for TF1-style builds (no-op without TensorFlow)."""
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        if not tf.executing_eagerly():
            tf.compat.v1.reset_default_graph()


class Worker:
    def __init__(self, ctx, key, label, cfg):
        self.key, self.label = key, label
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, key, cfg), daemon=True)
        self.process.start()
        child.close()
        self.status, self.detail, self.info = "starting", None, {}
        self.log_path = os.path.join(cfg["log_dir"], f"{key}.log") if cfg.get("log_dir") else None
        self.samples = []  # ms per step, one per round
        self.cpu_samples = []  # CPU ms (all the worker's threads) per step, one per round
        self.first_s = None
        self.losses = None
        self.check = None

    def build(self, overrides=None):
        """(Re)build the implementation, with `overrides` of the worker's cfg."""
        if self.status not in ("starting", "ok"):
            return
        self.status = "ok"
        info = self.call("build", overrides)
        if info is not None:
            self.info = info

    def clear_samples(self):
        """Forget the timings, before timing another configuration."""
        self.samples, self.cpu_samples, self.first_s, self.losses = [], [], None, None

    def call(self, command, arg=None):
        if self.status != "ok":
            return None
        try:
            self.conn.send((command, arg))
            status, payload = self._recv()
        except (EOFError, OSError, BrokenPipeError) as error:
            status, payload = "error", f"worker died: {error!r}"
        if status != "ok":
            self.fail(status, payload)
            return None
        return payload

    def _recv(self):
        try:
            return self.conn.recv()
        except EOFError:
            self.process.join(5)
            return "error", f"worker exited (code {self.process.exitcode})"

    def fail(self, status, detail):
        self.status = "skip" if status == "skip" else "error"
        self.detail = detail
        if status != "skip":
            log = ""
            if self.log_path and os.path.exists(self.log_path):
                with open(self.log_path, errors="replace") as f:
                    log = "".join(f.readlines()[-30:])
            print(
                f"\n[{self.label}] failed:\n{detail}\n--- worker stderr (tail) ---\n{log}",
                file=sys.stderr,
            )
        self.stop()

    def stop(self):
        try:
            self.conn.send(("stop", None))
        except (OSError, BrokenPipeError):
            pass
        self.process.join(30)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()


# ----------------------------------------------------------------- the parent
def run_group(title, impls, cfg, args, check):
    """Start, check, warm up and time one group of implementations."""
    import impls

    ctx = multiprocessing.get_context("spawn")
    workers = []
    print(f"\n== {title}", flush=True)
    # Built one at a time, so each build and first step has the machine.
    for key, (label, _, _) in impls.items():
        if args.only and key not in args.only:
            continue
        worker = Worker(ctx, key, label, cfg)
        if check:
            worker.build()
            noises = check_noises(cfg["seed"], args.check_steps, common.M)
            math_check(
                worker,
                noises,
                args.check_tol,
                # Called at once, so the loop's current noises are the right ones.
                lambda adam: impls.reference_steps(cfg["params"], cfg["batch"], noises, adam),  # noqa: B023
            )
        worker.build()
        warm_up(worker, args.warmup)
        workers.append(worker)
    timed_rounds(workers, args.rounds, args.steps_per_round)
    for worker in workers:
        if worker.status == "ok":
            worker.stop()
    return workers


def warm_up(worker, warmup):
    """The first timed-path step (tracing / compiling), then `warmup` more."""
    if worker.status == "ok":
        first = worker.call("first")
        if first is not None:
            worker.first_s = first["seconds"]
        worker.call("run", warmup)
    state = {
        "ok": f"ready (build {worker.info.get('build_s', 0):.1f} s, first step "
        f"{(worker.first_s or 0):.2f} s)",
        "skip": f"skipped: {worker.detail}",
        "error": "ERROR",
    }[worker.status]
    print(f"  {worker.label}: {state}", flush=True)


def timed_rounds(workers, rounds, steps_per_round):
    """Round-robin rounds of `steps_per_round` steps over the live workers,
    the starting one rotating each round; one sample per worker and round."""
    live = [w for w in workers if w.status == "ok"]
    for r in range(rounds):
        shift = r % len(live) if live else 0
        for worker in live[shift:] + live[:shift]:
            result = worker.call("run", steps_per_round)
            if result is not None:
                worker.samples.append(1e3 * result["seconds"] / steps_per_round)
                worker.cpu_samples.append(1e3 * result["cpu_seconds"] / steps_per_round)
                worker.losses = result["losses"]
        live = [w for w in live if w.status == "ok"]
        print(f"  round {r + 1}/{rounds} done", flush=True)


def check_noises(seed, steps, batch_size):
    """The noise of the math check's steps, the same for every implementation."""
    import numpy as np

    rng = np.random.default_rng(seed + 1)
    return [
        rng.uniform(-1.0, 1.0, (batch_size, common.D_LATENT)).astype(np.float32)
        for _ in range(steps)
    ]


def math_check(worker, noises, tol, reference):
    """Run the built instance's check steps with `noises` and compare its
    losses and final parameters with `reference(adam)` = (losses, params) of
    the float64 reference for the worker's Adam rule."""
    import numpy as np

    result = worker.call("check", noises)
    if result is None:
        return
    adam = worker.info.get("adam", "tf1")
    ref_losses, ref_params = reference(adam)
    loss_err = max(
        abs(a - b) for got, ref in zip(result["losses"], ref_losses) for a, b in zip(got, ref)
    )
    param_err = max(
        float(np.max(np.abs(result["params"][name] - ref_params[name]))) for name in ref_params
    )
    ok = loss_err < tol and param_err < tol
    worker.check = {"loss_err": loss_err, "param_err": param_err, "ok": ok, "adam": adam}
    if not ok:
        print(
            f"  {worker.label}: MATH CHECK FAILED (max |dloss| {loss_err:.2e}, "
            f"max |dparam| {param_err:.2e})",
            file=sys.stderr,
        )


def summarize_workers(workers, baseline_key):
    baseline = next((w for w in workers if w.key == baseline_key and w.samples), None)
    base = common.summarize(baseline.samples)["median"] if baseline else None
    rows = []
    for w in workers:
        row = {
            "key": w.key,
            "label": w.label,
            "status": w.status,
            "info": w.info,
            "first_step_s": w.first_s,
            "check": w.check,
            "last_losses": w.losses,
        }
        if w.status == "skip":
            row["detail"] = str(w.detail)
        elif w.status == "error":
            row["detail"] = str(w.detail).strip().splitlines()[-1] if w.detail else "error"
        if w.samples:
            row["stats"] = common.summarize(w.samples)
            row["samples_ms"] = w.samples
            row["cpu_stats"] = common.summarize(w.cpu_samples)
            if base and not w.key.startswith("data_"):
                row["ratio"] = row["stats"]["median"] / base
        rows.append(row)
    return rows


def step_table(rows, with_check):
    header = [
        "implementation",
        "median ms/step",
        "IQR",
        "min–max",
        "× gan_infer",
        "CPU ms/step",
        "first step s",
    ]
    if with_check:
        header.append("math check (max |Δ| vs float64)")
    out = []
    for row in rows:
        if "stats" not in row:
            status = (
                (row.get("detail") or "not installed")
                if row["status"] == "skip"
                else f"error: {row.get('detail')}"
            )
            if row["status"] == "ok":
                status = "no samples"
            out.append([row["label"], status, "", "", "", "", ""] + ([""] if with_check else []))
            continue
        s = row["stats"]
        cells = [
            row["label"],
            common.fmt(s["median"], 3),
            f"{common.fmt(s['q1'], 3)}–{common.fmt(s['q3'], 3)}",
            f"{common.fmt(s['min'], 3)}–{common.fmt(s['max'], 3)}",
            common.fmt(row.get("ratio"), 2),
            common.fmt(row["cpu_stats"]["median"], 3),
            common.fmt(row["first_step_s"], 2),
        ]
        if with_check:
            c = row["check"]
            cells.append(
                "—"
                if c is None
                else f"{'ok' if c['ok'] else 'FAIL'}: loss {c['loss_err']:.1e}, "
                f"params {c['param_err']:.1e}"
            )
        out.append(cells)
    return common.markdown_table(header, out)


def threads_table(rows):
    out = [
        [row["label"].strip(), row["info"].get("threads", "—"), row["info"].get("note", "")]
        for row in rows
        if row["status"] == "ok"
    ]
    return common.markdown_table(["implementation", "threads", "notes"], out)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds (default 15)")
    parser.add_argument(
        "--steps-per-round",
        type=int,
        default=200,
        help="steps per implementation per round (default 200)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=100,
        help="untimed steps per implementation after the first (default 100)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=common.default_threads(),
        help="threads (and cores) for every library (default: usable cores, "
        f"{common.default_threads()} here)",
    )
    parser.add_argument("--skip-e2e", action="store_true", help="only the step-time table")
    parser.add_argument("--skip-step", action="store_true", help="only the end-to-end table")
    keys = [
        "gan_infer",
        "gan_infer_jit",
        "tf1",
        "tf_function",
        "tf_xla",
        "jax",
        "torch",
        "torch_compile",
        "e2e_gan_infer",
        "e2e_gan_infer_graph",
        "e2e_tutorial",
        "data_gan_infer",
        "data_tutorial",
    ]
    parser.add_argument(
        "--only",
        nargs="*",
        metavar="KEY",
        choices=keys,
        help="only these implementations: " + ", ".join(keys),
    )
    add_shared_arguments(parser)
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.steps_per_round < 1 or args.warmup < 0 or args.threads < 1:
        parser.error("--rounds, --steps-per-round and --threads must be positive")
    return args


def main(argv=None):
    import impls

    args = parse_args(argv)
    batch, source = common.fixed_batch(args.mnist_dir, args.seed)
    cfg = {
        "batch": batch,
        "params": common.init_params(args.seed),
        "threads": args.threads,
        "seed": args.seed,
        "mnist_dir": args.mnist_dir,
    }
    print(
        f"threads per library: {args.threads}; {args.rounds} rounds x {args.steps_per_round} "
        f"steps after {args.warmup} warm-up steps; batch: {source}"
    )
    busy_warning(args.threads)
    results = {"args": vars(args), "batch_source": source}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gan_infer_bench_") as log_dir:
        cfg["log_dir"] = log_dir
        if not args.skip_step:
            workers = run_group(
                "step time (fixed batch)", impls.STEP_IMPLS, cfg, args, check=args.check_steps > 0
            )
            results["step"] = summarize_workers(workers, "gan_infer")
        if not args.skip_e2e:
            run_e2e_if_mnist(
                results,
                args,
                lambda: summarize_workers(
                    run_group(
                        "end to end (tutorial loop, MNIST)",
                        impls.E2E_IMPLS,
                        {**cfg, "quiet_stdout": True},
                        args,
                        check=False,
                    ),
                    "e2e_gan_infer",
                ),
            )
    return report(results, start, args, render)


def add_shared_arguments(parser):
    """The options of every harness: math check, data, seed, JSON output."""
    parser.add_argument(
        "--check-steps", type=int, default=3, help="steps of the math check (0 to skip; default 3)"
    )
    parser.add_argument(
        "--check-tol",
        type=float,
        default=1e-4,
        help="largest |difference| from the float64 reference (default 1e-4)",
    )
    parser.add_argument("--mnist-dir", default=common.DEFAULT_MNIST)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", help="also write the results to this JSON file")


def run_e2e_if_mnist(results, args, run):
    """results["e2e"] = run(), or a note that the MNIST files are missing."""
    if os.path.exists(os.path.join(args.mnist_dir, "train-images-idx3-ubyte.gz")):
        results["e2e"] = run()
    else:
        print(f"\nend to end skipped: no MNIST in {args.mnist_dir} (--mnist-dir)")
        results["e2e_skipped"] = f"no MNIST in {args.mnist_dir}"


def report(results, start, args, render_results):
    """Print the tables (and write the JSON) of a finished harness run."""
    results["seconds"] = time.perf_counter() - start
    print()
    print(render_results(results))
    common.write_json(args.json, results)
    return results


def busy_warning(threads):
    """Warn when other work shares the cores: OpenMP's barriers (PyTorch) then
    wait for descheduled threads at every op, and multi-threaded step times
    balloon (tens of times on 2 cores with 2 other busy processes)."""
    try:
        load = os.getloadavg()[0]
    except OSError:
        return
    if threads > 1 and load > 0.5 * common.default_threads():
        print(
            f"WARNING: load average {load:.1f} on {common.default_threads()} usable cores: "
            f"other work shares this machine, and multi-threaded timings (PyTorch's OpenMP "
            f"above all) suffer badly from it. --threads 1 gives steadier rows.",
            file=sys.stderr,
            flush=True,
        )


def render(results):
    """The tables as markdown."""
    args = results["args"]
    parts = []
    if "step" in results:
        parts += [
            "### Step time: ms per training iteration (fixed batch, data excluded)",
            "",
            step_table(results["step"], with_check=args["check_steps"] > 0),
            "",
            "Threads used:",
            "",
            threads_table(results["step"]),
            "",
        ]
    if "e2e" in results:
        parts += [
            "### End to end: ms per tutorial iteration (batching + binarization + update "
            "+ print_progress)",
            "",
            step_table(results["e2e"], with_check=False),
            "",
        ]
    elif "e2e_skipped" in results:
        parts += [f"End to end skipped: {results['e2e_skipped']}.", ""]
    parts.append(
        f"{args['rounds']} interleaved rounds x {args['steps_per_round']} steps per "
        f"implementation after {args['warmup']} warm-up steps; one sample per round "
        f"(round time / steps); IQR = 25th–75th percentile over rounds; CPU ms/step = "
        f"median CPU time of the worker process, all its threads (spin-waiting "
        f"included), per step; "
        f"{args['threads']} thread(s) per library; harness time "
        f"{results['seconds']:.0f} s."
    )
    return "\n".join(parts)


if __name__ == "__main__":
    main()
