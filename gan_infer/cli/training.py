"""`gan-infer train`: train a model of `gan_infer.cli.named_gans` into a run directory, resumably.

#### Examples

```python
from gan_infer.cli.training import train

metrics = train("ring", "runs/ring", loss="minimax", n_iter=2000, seed=1)
print(metrics["modes_captured"], metrics["high_quality_fraction"])
```
"""

import os
import time

from gan_infer.cli import named_gans
from gan_infer.cli.options import UsageError, resolve_config
from gan_infer.cli.run_folder import (
    check_same_run,
    describe_differences,
    finished_metrics,
    latest_checkpoint,
    read_json,
    run_file,
    write_json,
)
from gan_infer.cli.sampling import draw_seeded_samples, graph_and_session

__all__ = ["FIGURES_STREAM", "TrainingFigures", "train"]

# The stream of the step seed (gan_infer.util.seeds) of the training
# figures' noise: not a training iteration.
FIGURES_STREAM = 2**31 - 2


class TrainingFigures:
    """A monitor for `run()`: the model's figure of one batch of samples
    every `n_print` iterations, always from the same noise, into
    grids/NNN.png: NNN.png shows the generator after NNN * n_print
    iterations (000.png: untrained)."""

    def __init__(self, spec, samples, critic, directory, n_print, seed):
        from gan_infer.util.files import ensure_directory
        from gan_infer.util.seeds import step_seed, step_seed_value

        self.spec, self.n_print = spec, n_print
        self.directory = ensure_directory(directory)
        self.fetches = {"samples": samples}
        if critic is not None:
            self.fetches["critic"] = critic
        self.feed = {step_seed(): step_seed_value(seed, FIGURES_STREAM, 0)}

    def __call__(self, info_dict):
        if info_dict["t"] % self.n_print == 0:
            self.write(info_dict["t"])

    def write(self, t):
        """grids/NNN.png of the generator after `t` iterations."""
        from gan_infer.criticism import save_figure
        from gan_infer.util.session import get_session

        values = get_session().run(self.fetches, self.feed)
        figure = self.spec.figure(
            values["samples"], title=f"{self.spec.name}, iteration {t}", critic=values.get("critic")
        )
        save_figure(figure, os.path.join(self.directory, f"{t // self.n_print:03d}.png"))


def train(model, out_dir, **options):
    """Train the model called `model` into `out_dir`, resuming what is there.

    In a graph and session of its own: builds the model
    (`gan_infer.cli.named_gans`), binds its data as in-graph `Minibatches`, and
    runs `GANInference.run()` with checkpoints in OUT/checkpoints (every
    `checkpoint_every` iterations, at the end, and on Ctrl-C), TensorBoard
    logs in OUT/logs and a figure every `n_print` iterations in OUT/grids.
    At the end it draws the model's `n_samples` samples (OUT/samples.npy;
    MNIST: 10,000 x 784 float32), a figure of them (OUT/final.png),
    evaluates them unless `evaluate=False`, and writes OUT/metrics.json:

        iterations, generator_loss, discriminator_loss (the last iteration's),
        seconds (training time of this invocation), evaluated, and the model's
        metrics (MNIST: `evaluate_mnist` without Parzen; ring/grid: modes
        captured and high-quality fraction; mixture: mode shares, fitted
        mean/std and the KS distance to the true CDF).

    A model that keeps a moving average of its generator's weights
    (`named_gans.Model.ema_decay`: ring, grid) draws samples.npy and final.png
    with the average, and metrics.json's "last_iterate" holds the metrics
    of the last weights on the same noise; the figures during training show
    the last weights.

    Resume semantics: OUT/config.json records the options. A run directory
    with the same options (`options.RUN_OPTIONS`; n_iter may grow) is
    resumed from its latest checkpoint, with the losses of an uninterrupted
    run; a finished one is left as it is and its metrics returned; one of
    other options is refused (UsageError naming them), and so is one whose
    data changed since it started (images added or re-exported) or whose
    checkpoints hold another network (the first difference is named).
    OUT/config.json is written only by the process that holds the run's
    lock (OUT/checkpoints/.lock), once its checkpoints are known to fit: a
    refused command leaves the directory as it was. A run of your images
    that would be evaluated needs the 20 images evaluation compares with,
    checked before training.

    The DCGAN trains on MNIST, or with `data` on your images (a folder of
    PNG/JPEG files, a .npy or .npz; `gan_infer.datasets.images`), its
    networks sized from them: OUT/config.json also records their shape
    (`image_shape`), and samples.npy holds images [N, H, W, C].

    Args:
      model: str, a name of `gan_infer.cli.named_gans.MODELS` ('mnist',
        'mixture', 'ring', 'grid', 'dcgan').
      out_dir: str or path, the run directory.
      **options: loss, n_iter, n_print, seed, batch_size, learning_rate,
        learning_rate_d, data_dir, checkpoint_every, keep_checkpoints,
        evaluate, threads, data, image_size: see `options.resolve_config`.

    Returns:
      dict: the contents of OUT/metrics.json.

    Raises:
      UsageError: a bad option; `out_dir` holds a run of other options, of
        other data, or of another network; too few images to evaluate.
      DirectoryInUseError: another process trains in `out_dir`.
      KeyboardInterrupt: Ctrl-C, after saving a checkpoint.
      FloatingPointError: a loss became NaN or Inf (the last checkpoint is kept).
      DataError: the images of `data` cannot be read, or have a size the DCGAN lacks.

    #### Examples

    ```python
    metrics = train("ring", "runs/ring-minimax", loss="minimax", n_iter=2000)
    print(f"{metrics['modes_captured']}/8 modes")
    ```
    """
    config = resolve_config(model, **options)
    check_same_run(out_dir, config)
    metrics = finished_metrics(out_dir, config)
    if metrics is not None:
        print(
            f"{out_dir} holds the finished run ({config['n_iter']} iterations): nothing to do.",
            flush=True,
        )
        return metrics

    from gan_infer.util.files import DirectoryLock, ensure_directory

    recorded = read_json(run_file(out_dir, "config.json")) or {}
    if config.get("self_condition") == "auto" and recorded.get("n_clusters") is not None:
        # "auto" chose K when the run started: a resume keeps it, whatever
        # today's rule (`dcgan.default_clusters`) would choose.
        config = {**config, "n_clusters": recorded["n_clusters"]}
    # Reads --data (a DataError stops here, before the run directory exists).
    spec = named_gans.get(config["model"]).configure(config)
    _check_data(spec, config, out_dir, recorded)
    ensure_directory(out_dir)
    # The lock of OUT/checkpoints, which run() takes again (it is re-entrant),
    # taken before anything is written: of two commands started together on
    # one folder, the one that loses it leaves no trace there.
    lock = DirectoryLock(ensure_directory(run_file(out_dir, "checkpoints")))
    lock.acquire()
    try:
        # Again, under the lock: another process may have trained here meanwhile.
        check_same_run(out_dir, config)
        metrics = finished_metrics(out_dir, config)
        if metrics is not None:
            return metrics
        print(
            f"Training {spec.name} ({spec.description}), {config['loss']} loss, "
            f"{config['n_iter']} iterations, into {out_dir}",
            flush=True,
        )
        samples, last_iterate, last, seconds = _fit(spec, config, out_dir)
        return _write_results(spec, config, out_dir, samples, last_iterate, last, seconds)
    finally:
        lock.release()


def _check_data(spec, config, out_dir, recorded):
    """UsageError, before anything is written, for data the run cannot use:
    other data than the run in `out_dir` started on (images added, removed
    or re-exported; `recorded`: its config.json, or {}), or too few images
    to evaluate the samples at the end."""
    changed = [
        (key, recorded[key], value)
        for key, value in spec.recorded_options().items()
        if key in recorded and recorded[key] != value
    ]
    if changed:
        raise UsageError(
            f"The run in {out_dir} started on other data than --data {config['data']} holds now "
            f"({describe_differences(changed, str)}): images were added, removed or re-exported "
            "since. Resuming would not continue that run: put the data back as they were, or "
            "train on them into another --out."
        )
    if not (config["evaluate"] and config.get("data") is not None):
        return
    from gan_infer.criticism.image_metrics import MIN_DATA_IMAGES

    count = len(spec.training_data(config["data_dir"], config["seed"]))
    if count < MIN_DATA_IMAGES:
        raise UsageError(
            f"--data {config['data']} holds {count} image{'s' * (count != 1)}: evaluating the "
            f"samples at the end compares them with at least {MIN_DATA_IMAGES} training images. "
            "Add images, or pass --no-evaluate (evaluate=False in Python)."
        )


def _start_run(spec, config, out_dir):
    """Write OUT/config.json once the run is known to start: the newest
    checkpoint, if any, holds the variables just built (names, shapes)."""
    import tensorflow.compat.v1 as tf

    from gan_infer.inferences.checkpoints import checkpoint_mismatch

    checkpoint = latest_checkpoint(out_dir)
    if checkpoint is not None:
        variables = {v.op.name: v for v in tf.global_variables()}
        difference = checkpoint_mismatch(checkpoint, variables)
        if difference is not None:
            raise UsageError(
                f"{out_dir} holds checkpoints of another network than the {spec.name} built "
                f"now ({difference}), although its options are the same: the code that builds "
                "it changed since. To go on with that run, use the gan_infer version that "
                "trained it; to train this network, pass another --out.",
                "out",
            )
    write_json(run_file(out_dir, "config.json"), {**config, **spec.recorded_options()})


def _fit(spec, config, out_dir):
    """Train in a graph of its own; (samples, last-weights samples, last info_dict, seconds)."""
    import tensorflow.compat.v1 as tf

    import gan_infer as ed

    with graph_and_session(config["threads"]):
        ed.set_seed(config["seed"])
        parts = spec.build(config["batch_size"], config["data_dir"], config["seed"])
        inference = ed.GANInference(data=parts.bindings(), discriminator=parts.discriminator)
        inference.initialize(
            optimizer=spec.optimizer(config["learning_rate"]),
            optimizer_d=spec.optimizer(config["learning_rate_d"]),
            loss=config["loss"],
            gradient_penalty=spec.gradient_penalty,
            ema_decay=spec.ema_decay,
            n_iter=config["n_iter"],
            n_print=config["n_print"],
            logdir=run_file(out_dir, "logs"),
            log_timestamp=False,
            checkpoint_dir=run_file(out_dir, "checkpoints"),
            checkpoint_every=config["checkpoint_every"],
            keep_checkpoints=config["keep_checkpoints"],
        )
        _start_run(spec, config, out_dir)
        figures = TrainingFigures(
            spec,
            parts.samples,
            spec.critic_probe(parts.discriminator),
            run_file(out_dir, "grids"),
            config["n_print"],
            config["seed"],
        )
        last = {}
        # Variables are initialized here rather than by run(), so that the
        # untrained generator can be drawn first; run() then restores the
        # latest checkpoint over them, if there is one.
        tf.global_variables_initializer().run()
        if inference.latest_checkpoint() is None:
            figures.write(0)
        start = time.perf_counter()
        inference.run(variables=[], use_coordinator=False, monitors=[figures, last.update])
        seconds = time.perf_counter() - start
        samples = last_iterate = draw_seeded_samples(parts.samples, spec.n_samples, config["seed"])
        if spec.ema_decay is not None:
            with inference.averaged_generator():  # same noise, averaged weights
                samples = draw_seeded_samples(parts.samples, spec.n_samples, config["seed"])
    return samples, last_iterate, last, seconds


def _write_results(spec, config, out_dir, samples, last_iterate, last, seconds):
    """samples.npy, final.png, then metrics.json (last); returns the metrics."""
    from gan_infer.criticism import save_figure
    from gan_infer.util.files import save_npy

    save_npy(run_file(out_dir, "samples.npy"), samples)
    save_figure(
        spec.figure(
            samples,
            title=f"{spec.name}, {config['loss']} loss, iteration {config['n_iter']}",
            final=True,
        ),
        run_file(out_dir, "final.png"),
    )
    metrics = {
        "model": spec.name,
        "iterations": config["n_iter"],
        **{
            name: None if last.get(key) is None else float(last[key])
            for name, key in (("generator_loss", "loss"), ("discriminator_loss", "loss_d"))
        },
        "seconds": round(seconds, 3),
        "evaluated": config["evaluate"],
    }
    if config["evaluate"]:
        metrics.update(spec.evaluate(samples, data_dir=config["data_dir"]))
        if spec.ema_decay is not None:
            metrics["last_iterate"] = spec.evaluate(last_iterate, data_dir=config["data_dir"])
    write_json(run_file(out_dir, "metrics.json"), metrics)
    headline = spec.headline(metrics) if config["evaluate"] else "not evaluated (--no-evaluate)"
    print(
        f"{spec.name}: {config['n_iter']} iterations, {seconds:.1f} s this run; {headline}. "
        f"Wrote samples.npy, final.png and metrics.json to {out_dir}",
        flush=True,
    )
    return metrics
