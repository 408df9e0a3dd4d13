"""`gan-infer train`: train a model of `gan_infer.cli.models` into a run directory, resumably.

#### Examples

```python
from gan_infer.cli.training import train

metrics = train("ring", "runs/ring", loss="minimax", n_iter=2000, seed=1)
print(metrics["modes_captured"], metrics["high_quality_fraction"])
```
"""

import os
import time

from gan_infer.cli import models
from gan_infer.cli.options import resolve_config
from gan_infer.cli.run_folder import check_same_run, finished_metrics, run_file, write_json
from gan_infer.cli.sampling import draw_samples, graph_and_session

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
    (`gan_infer.cli.models`), binds its data as in-graph `Minibatches`, and
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
    (`models.Model.ema_decay`: ring, grid) draws samples.npy and final.png
    with the average, and metrics.json's "last_iterate" holds the metrics
    of the last weights on the same noise; the figures during training show
    the last weights.

    Resume semantics: OUT/config.json records the options. A run directory
    with the same options (`options.RUN_OPTIONS`; n_iter may grow) is
    resumed from its latest checkpoint, with the losses of an uninterrupted
    run; a finished one is left as it is and its metrics returned; one of
    other options is refused (UsageError naming them).

    The DCGAN trains on MNIST, or with `data` on your images (a folder of
    PNG/JPEG files, a .npy or .npz; `gan_infer.datasets.images`), its
    networks sized from them: OUT/config.json also records their shape
    (`image_shape`), and samples.npy holds images [N, H, W, C].

    Args:
      model: str, a name of `gan_infer.cli.models.MODELS` ('mnist',
        'mixture', 'ring', 'grid', 'dcgan').
      out_dir: str or path, the run directory.
      **options: loss, n_iter, n_print, seed, batch_size, learning_rate,
        learning_rate_d, data_dir, checkpoint_every, keep_checkpoints,
        evaluate, threads, data, image_size: see `options.resolve_config`.

    Returns:
      dict: the contents of OUT/metrics.json.

    Raises:
      UsageError: a bad option, or `out_dir` holds a run of other options.
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

    from gan_infer.util.files import ensure_directory

    # Reads --data (a DataError stops here, before the run directory exists).
    spec = models.get(config["model"]).configure(config)
    ensure_directory(out_dir)
    write_json(run_file(out_dir, "config.json"), {**config, **spec.recorded_options()})
    print(
        f"Training {spec.name} ({spec.description}), {config['loss']} loss, "
        f"{config['n_iter']} iterations, into {out_dir}",
        flush=True,
    )
    samples, last_iterate, last, seconds = _fit(spec, config, out_dir)
    return _write_results(spec, config, out_dir, samples, last_iterate, last, seconds)


def _fit(spec, config, out_dir):
    """Train in a graph of its own; (samples, last-weights samples, last info_dict, seconds)."""
    import tensorflow.compat.v1 as tf

    import gan_infer as ed

    with graph_and_session(config["threads"]):
        ed.set_seed(config["seed"])
        parts = spec.build(config["batch_size"], config["data_dir"], config["seed"])
        inference = ed.GANInference(
            data={parts.samples: parts.data}, discriminator=parts.discriminator
        )
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
        samples = last_iterate = draw_samples(parts.samples, spec.n_samples, config["seed"])
        if spec.ema_decay is not None:
            with inference.averaged_generator():  # same noise, averaged weights
                samples = draw_samples(parts.samples, spec.n_samples, config["seed"])
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
