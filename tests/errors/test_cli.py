"""docs/errors.md, section "Command line and checkpoints": each row's mistake, made."""

import importlib
import json
import socket
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer import cli, layers
from gan_infer.cli import sweep
from gan_infer.datasets import DataError
from gan_infer.models import Uniform
from gan_infer.util import DirectoryInUseError
from tests.errors.parts import (
    SWEEP,
    M,
    checkpointed_gan,
    discriminator,
    gan,
    image_file,
    minibatched_gan,
    npy,
    run_dir,
    sweep_file,
    write,
    written_checkpoints,
)
from tests.errors.registry import also, row, row_test

row(
    "cli-checkpoint-every-without-dir",
    ValueError,
    "checkpoint_every needs a checkpoint_dir to write to.",
    lambda env: gan(data=np.zeros([M, 1], np.float32))[0].initialize(n_print=0, checkpoint_every=5),
)

row(
    "cli-checkpoint-every",
    ValueError,
    "checkpoint_every must be a positive int, got …",
    lambda env: checkpointed_gan(env, checkpoint_every=0),
)

row(
    "cli-keep-checkpoints",
    ValueError,
    "keep_checkpoints must be a positive int, got …",
    lambda env: checkpointed_gan(env, keep_checkpoints=-1),
)


@row("cli-checkpoint-needs-dir", RuntimeError, "…() needs initialize(checkpoint_dir=...).")
def _(env):
    inference, _ = gan(data=np.zeros([M, 1], np.float32))
    inference.initialize(n_print=0)
    inference.save_checkpoint()


@also("cli-checkpoint-needs-dir")
def _(env):
    inference, _ = gan(data=np.zeros([M, 1], np.float32))
    inference.initialize(n_print=0)
    inference.restore()


row(
    "cli-no-checkpoint",
    FileNotFoundError,
    "No intact checkpoint in ….",
    lambda env: checkpointed_gan(env).restore(),
)


@row(
    "cli-checkpoint-of-another-model",
    ValueError,
    "The checkpoint … does not match this model (…). Resume with the program that wrote it, or "
    "use a new checkpoint_dir.",
)
def _(env):
    with tf.Graph().as_default():
        checkpointed_gan(env).run()
    with tf.Graph().as_default():
        with tf.variable_scope("Gen"):
            x = layers.dense(Uniform(tf.zeros([M, 3]), tf.ones([M, 3])), 1, name="other")
        inference = ed.GANInference(
            data={x: np.zeros([40, 1], np.float32)}, discriminator=discriminator
        )
        inference.initialize(n_iter=2, n_print=0, checkpoint_dir=str(env.tmp_path))
        inference.run()


@row(
    "cli-checkpoint-disk-full",
    OSError,
    "[Errno 28] No space left on the device of … while saving the checkpoint ckpt-… (…). The last "
    "good checkpoint, …, is kept. Free some space there (or move the run to a larger disk) and "
    "resume.",
)
def _(env):
    save = tf.train.Saver.save

    def full_disk(saver, session, prefix, global_step=None, **kwargs):
        if global_step == 1:
            return save(saver, session, prefix, global_step=global_step, **kwargs)
        shard = f"{prefix}-{global_step}.data-00000-of-00001.tempstate1"
        raise tf.errors.ResourceExhaustedError(None, None, f"{shard}; No space left on device")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tf.train.Saver, "save", full_disk)
        written_checkpoints(env)


@row("cli-nan-loss", FloatingPointError, "… became … at iteration …: training stopped.")
def _(env):
    # A step size that overflows the weights (NaN data are refused where bound).
    step = tf.train.GradientDescentOptimizer(1e38)
    checkpointed_gan(env, n_iter=10, checkpoint_every=1, optimizer=step, optimizer_d=step).run()


also(
    "cli-nan-loss",  # the command line's run, where the NaN reaches a TensorBoard histogram
    lambda env: cli.train(
        "mixture", env.tmp_path, n_iter=10, n_print=2, learning_rate=1e38, evaluate=False
    ),
)

row(
    "cli-minibatches-empty",
    ValueError,
    "Minibatches needs an array with at least one row, got shape ….",
    lambda env: ed.Minibatches(np.zeros([0, 2])),
)

row(
    "cli-minibatches-dtype",
    TypeError,
    "Minibatches needs a numeric array, got dtype ….",
    lambda env: ed.Minibatches(np.array(["a", "b"])),
)

row(
    "cli-minibatches-binarize",
    ValueError,
    "Minibatches(binarize=True) needs uint8 pixels (0..255) or floating-point values in [0, 1] "
    "(the probability of a 1); scale the data first, e.g. x / 255.0.",
    lambda env: ed.Minibatches(np.full([4, 1], 255.0), binarize=True),
)

row(
    "cli-minibatches-rows",
    ValueError,
    "The mini-batched data entries have different numbers of rows …; entries served together "
    "(e.g. images and their labels) must pair row by row.",
    lambda env: minibatched_gan(
        [ed.Minibatches(np.zeros([10, 1])), ed.Minibatches(np.zeros([12, 1]))]
    ),
)

row(
    "cli-minibatches-shuffle",
    ValueError,
    "Mini-batched data entries share one order of the rows: give them all the same shuffle= "
    "setting.",
    lambda env: minibatched_gan(
        [ed.Minibatches(np.zeros([10, 1])), ed.Minibatches(np.zeros([10, 1]), shuffle=False)]
    ),
)

row(
    "cli-minibatches-batch-size",
    ValueError,
    "Mini-batched data need model tensors with one static batch size (the leading dimension) to "
    "know how many rows to serve; give the model's samples a fixed batch dimension, e.g. "
    "tf.zeros([M, d]) (got …).",
    lambda env: ed.GANInference(
        data={tf.placeholder(tf.float32, [None, 1]): ed.Minibatches(np.zeros([10, 1], np.float32))},
        discriminator=discriminator,
    ),
)

row(
    "cli-option-int",
    cli.UsageError,
    "… must be an integer >= …, got …",
    lambda env: cli.train("ring", env.tmp_path, n_iter=0),
)
also("cli-option-int", lambda env: cli.resolve_config("ring", batch_size=2.5))
also("cli-option-int", lambda env: cli.sample(run_dir(env), n=0))
also("cli-option-int", lambda env: sweep.run_sweep("sweep.toml", num_cpus=0))

row(
    "cli-option-number",
    cli.UsageError,
    "… must be a positive number, got …",
    lambda env: cli.resolve_config("mixture", learning_rate=0),
)
also("cli-option-number", lambda env: cli.resolve_config("mixture", learning_rate_d=float("inf")))

row(
    "cli-model",
    cli.UsageError,
    "model must be one of mnist, mixture, ring, grid, dcgan, got …",
    lambda env: cli.train("cifar", env.tmp_path),
)

row(
    "cli-loss",
    cli.UsageError,
    "loss must be one of non_saturating, minimax, least_squares, hinge, got …",
    lambda env: cli.train("ring", env.tmp_path, loss="wasserstein"),
)

row(
    "cli-seed",
    cli.UsageError,
    "seed must be below 2**31, got …",
    lambda env: cli.resolve_config("ring", seed=2**31),
)

row(
    "cli-out-holds-another-run",
    cli.UsageError,
    "… holds a run trained with other options (…). To resume it, run `gan-infer train …`; to "
    "train these options, pass another --out (or delete the directory to start over).",
    lambda env: cli.train("ring", run_dir(env, n_iter=30), n_iter=30, loss="hinge"),
)
also(
    "cli-out-holds-another-run",  # n_iter may grow, not shrink
    lambda env: cli.train("ring", run_dir(env, n_iter=30), n_iter=20),
)

row(
    "cli-sample-not-a-run",
    cli.UsageError,
    "… has no config.json: give the --out directory of a `gan-infer train` run",
    lambda env: cli.sample(env.tmp_path),
)

row(
    "cli-sample-no-checkpoint",
    cli.UsageError,
    "… holds no checkpoint yet: train it first with `gan-infer train …`",
    lambda env: cli.sample(run_dir(env)),
)


@row(
    "cli-sample-another-generator",
    ValueError,
    "The checkpoint … does not hold the … generator of …/config.json (…); was the directory "
    "written by another program?",
)
def _(env):
    directory = run_dir(env)
    with tf.Graph().as_default(), tf.Session() as session:
        tf.Variable(0.0, name="something_else")
        session.run(tf.global_variables_initializer())
        tf.train.Saver().save(session, str(directory / "checkpoints" / "ckpt"), global_step=1)
    cli.sample(directory)


row(
    "cli-output-extension",
    cli.UsageError,
    "output must end in …, got …",
    lambda env: cli.sample(run_dir(env), output="samples.txt"),
)
also("cli-output-extension", lambda env: cli.evaluate("s.npy", output="metrics.csv"))

row(
    "cli-not-a-file",
    cli.UsageError,
    "… is not a file",
    lambda env: cli.evaluate(env.tmp_path / "missing.npy", toy="ring"),
)
also("cli-not-a-file", lambda env: sweep.run_sweep(env.tmp_path / "missing.toml"))

row(
    "cli-toy",
    cli.UsageError,
    "toy must be one of mixture, ring, grid, got …",
    lambda env: cli.evaluate("s.npy", toy="mnist"),
)

row(
    "cli-toy-mnist-options",
    cli.UsageError,
    "--labels and --parzen are MNIST metrics: leave them out with …",
    lambda env: cli.evaluate("s.npy", toy="ring", parzen=True),
)
also("cli-toy-mnist-options", lambda env: cli.evaluate("s.npy", data="images", labels="y.npy"))

row(
    "cli-evaluate-toy-and-data",
    cli.UsageError,
    "--toy and --data judge different samples: give one of them",
    lambda env: cli.evaluate("s.npy", toy="ring", data="images"),
)

row(
    "cli-data-other-model",
    cli.UsageError,
    "… is an option of the dcgan model (your images); … trains on its own data",
    lambda env: cli.resolve_config("mnist", data="images"),
)
also("cli-data-other-model", lambda env: cli.train("ring", env.tmp_path, image_size=32))

row(
    "cli-image-size-without-data",
    cli.UsageError,
    "image_size resizes the images of --data: give --data too",
    lambda env: cli.resolve_config("dcgan", image_size=32),
)

row(
    "cli-image-size",
    cli.UsageError,
    "image_size must be 28, 32 or 64, got …",
    lambda env: cli.resolve_config("dcgan", data="images", image_size=48),
)

row(
    "cli-data-and-data-dir",
    cli.UsageError,
    "data_dir is the MNIST folder, which training on --data does not read: leave it out",
    lambda env: cli.resolve_config("dcgan", data="images", data_dir="mnist"),
)


@row(
    "cli-dcgan-image-shape",
    DataError,
    "The images of … are …x… pixels: the DCGAN trains on square images of 28, 32, 64 pixels. "
    "Resize them with --image-size (size= in Python) 28, 32 or 64: each image is centre-cropped "
    "to a square first.",
)
def _(env):
    npy(env, "faces.npy", np.zeros((4, 40, 40, 3), np.uint8))
    cli.train("dcgan", env.tmp_path / "run", data=env.tmp_path / "faces.npy")


@also("cli-dcgan-image-shape")
def _(env):
    image_file(env, "pictures/wide.png", (28, 32))
    cli.train("dcgan", env.tmp_path / "run", data=env.tmp_path / "pictures")


@row(
    "cli-train-another-network",
    cli.UsageError,
    "… holds checkpoints of another network than the … built now (…), although its options are "
    "the same: the code that builds it changed since. To go on with that run, use the gan_infer "
    "version that trained it; to train this network, pass another --out.",
)
def _(env):
    run = env.tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    with tf.Graph().as_default(), tf.Session() as session:
        tf.Variable(0.0, name="something_else")
        session.run(tf.global_variables_initializer())
        tf.train.Saver().save(session, str(run / "checkpoints" / "ckpt"), global_step=1)
    cli.train("ring", run, n_iter=2, evaluate=False)


@row(
    "cli-data-changed",
    cli.UsageError,
    "The run in … started on other data than --data … holds now (…): images were added, removed "
    "or re-exported since. Resuming would not continue that run: put the data back as they were, "
    "or train on them into another --out.",
)
def _(env):
    data = npy(env, "faces.npy", np.zeros((24, 28, 28), np.uint8))
    run = env.tmp_path / "run"
    run.mkdir()
    config = cli.resolve_config("dcgan", data=data, n_iter=2, evaluate=False)
    (run / "config.json").write_text(json.dumps({**config, "image_shape": [32, 32, 1]}))
    cli.train("dcgan", run, data=data, n_iter=2, evaluate=False)


row(
    "cli-too-few-images",
    cli.UsageError,
    "--data … holds …: evaluating the samples at the end compares them with at least 20 training "
    "images. Add images, or pass --no-evaluate (evaluate=False in Python).",
    lambda env: cli.train(
        "dcgan", env.tmp_path / "run", data=npy(env, "one.npy", np.zeros((1, 28, 28), np.uint8))
    ),
)

row(
    "cli-dcgan-switch-other-model",
    cli.UsageError,
    "… is an option of the dcgan model; … does not take it",
    lambda env: cli.resolve_config("ring", ema_decay=0.999),
)
also("cli-dcgan-switch-other-model", lambda env: cli.resolve_config("mnist", self_condition=10))

row(
    "cli-self-condition",
    cli.UsageError,
    "self_condition must be 0 (off), a number of clusters >= 2, or 'auto', got …",
    lambda env: cli.resolve_config("dcgan", data="images", self_condition=1),
)
also("cli-self-condition", lambda env: cli.resolve_config("dcgan", self_condition="many"))

row(
    "cli-minibatch-stddev-group",
    cli.UsageError,
    "minibatch_stddev must divide the batch size … (D takes the spread over groups of that many "
    "images), got …: use --minibatch-stddev 4, or 0 to turn it off",
    lambda env: cli.resolve_config("dcgan", data="images", batch_size=30),
)

row(
    "cli-ema-decay",
    cli.UsageError,
    "ema_decay must be a number in [0, 1): 0 turns the average off, e.g. 0.999, got …",
    lambda env: cli.resolve_config("dcgan", ema_decay=1.0),
)


@row(
    "cli-too-many-clusters",
    DataError,
    "--self-condition … asks for more clusters than the … images of …: give at most … (about 500 "
    "images a cluster works; 0 turns the clusters off).",
)
def _(env):
    data = npy(env, "few.npy", np.zeros((30, 28, 28), np.uint8))
    cli.train("dcgan", env.tmp_path / "run", data=data, self_condition=40, evaluate=False)


row(
    "cli-evaluate-not-mnist",
    cli.UsageError,
    "… holds an array of shape …: without --data or --toy, evaluate judges MNIST digits, (N, 784) "
    "or (N, 28, 28). For samples of your own images, pass --data with the images the model trained "
    "on (gan-infer evaluate SAMPLES --data PATH); for MNIST digits of another shape, save "
    "x.reshape(len(x), 784).",
    lambda env: cli.evaluate(npy(env, "samples.npy", np.zeros((5, 28, 28, 1), np.float32))),
)


row(
    "cli-sweep-address-and-cpus",
    cli.UsageError,
    "num_cpus applies to a local Ray only; with an address the cluster's CPUs are used: leave "
    "one of them out",
    lambda env: sweep.run_sweep("sweep.toml", address="auto", num_cpus=2),
)


@row(
    "cli-sweep-without-ray",
    RuntimeError,
    "gan-infer sweep needs Ray, an optional dependency: pip install 'gan-infer[sweep]'",
)
def _(env):
    env.monkeypatch.setitem(sys.modules, "ray", None)
    sweep.import_ray()


@row(
    "cli-sweep-toml-needs-python-3-11",
    cli.UsageError,
    "TOML sweep files need Python >= 3.11 (tomllib); write the same keys in a .json file",
)
def _(env):
    env.monkeypatch.setitem(sys.modules, "tomllib", None)
    sweep_file(env, SWEEP)


row(
    "cli-sweep-invalid",
    cli.UsageError,
    "… is not valid …: …",
    lambda env: sweep_file(env, "model = "),
)

row(
    "cli-sweep-not-a-table",
    cli.UsageError,
    "…: the file must hold a table (TOML) or an object (JSON)",
    lambda env: sweep.plan([], "out"),
)

row(
    "cli-sweep-unknown-key",
    cli.UsageError,
    "…: unknown key …; the keys are model, seeds, cpus_per_trial, options, grid, random",
    lambda env: sweep_file(env, "epochs = 3\n" + SWEEP),
)

row(
    "cli-sweep-model",
    cli.UsageError,
    "…: model must be one of mnist, mixture, ring, grid, dcgan, got …",
    lambda env: sweep_file(env, SWEEP.replace('"ring"', '"rings"')),
)

row(
    "cli-sweep-section",
    cli.UsageError,
    "…: […] must be a table of options",
    lambda env: sweep_file(env, 'grid = 3\n' + SWEEP.split("[grid]")[0]),
)

row(
    "cli-sweep-option",
    cli.UsageError,
    "…: … is not an option of a trial; the options are loss, n_iter, n_print, batch_size, "
    "learning_rate, learning_rate_d, data_dir, checkpoint_every, keep_checkpoints, evaluate",
    lambda env: sweep_file(env, SWEEP.replace("n_iter", "epochs")),
)
also("cli-sweep-option", lambda env: sweep_file(env, SWEEP.replace("loss", "seed")))

row(
    "cli-sweep-option-twice",
    cli.UsageError,
    "…: … is set in two of [options], [grid], [random]; set it in one",
    lambda env: sweep_file(env, SWEEP.replace("n_iter = 20", 'loss = "hinge"')),
)

row(
    "cli-sweep-seeds",
    cli.UsageError,
    "…: seeds must be a count (seeds = 3: 0, 1, 2) or a list of distinct non-negative integers, "
    "got …",
    lambda env: sweep_file(env, SWEEP.replace("seeds = 2", "seeds = [1, 1]")),
)

row(
    "cli-sweep-cpus",
    cli.UsageError,
    "…: cpus_per_trial must be a positive integer, got …",
    lambda env: sweep_file(env, "cpus_per_trial = 0\n" + SWEEP),
)

row(
    "cli-sweep-grid-values",
    cli.UsageError,
    "…: grid.… must be a non-empty list of values, got …",
    lambda env: sweep_file(env, SWEEP.replace('["minimax", "hinge"]', '"hinge"')),
)

row(
    "cli-sweep-random-n",
    cli.UsageError,
    "…: random.n (the number of draws) must be a positive integer, got …",
    lambda env: sweep_file(env, SWEEP + "[random]\nlearning_rate = {uniform = [0.1, 1]}\n"),
)

row(
    "cli-sweep-distribution",
    cli.UsageError,
    "…: random.… must be one of {choice = [...]}, {uniform = [low, high]}, {log_uniform = [low, "
    "high]}; got …",
    lambda env: sweep_file(env, SWEEP + "[random]\nn = 2\nbatch_size = {normal = [0, 1]}\n"),
)

row(
    "cli-sweep-choice",
    cli.UsageError,
    "…: random.….choice must be a non-empty list",
    lambda env: sweep_file(env, SWEEP + "[random]\nn = 2\nbatch_size = {choice = []}\n"),
)

row(
    "cli-sweep-range",
    cli.UsageError,
    "…: random.….… must be [low, high] with low < high…, got …",
    lambda env: sweep_file(env, SWEEP + "[random]\nn = 2\nlearning_rate = {uniform = [1, 0.1]}\n"),
)
also(
    "cli-sweep-range",
    lambda env: sweep_file(
        env, SWEEP + "[random]\nn = 2\nlearning_rate = {log_uniform = [0, 1]}\n"
    ),
)

row(
    "cli-sweep-trial-option",
    cli.UsageError,
    "…: trial …: …",
    lambda env: sweep_file(env, SWEEP.replace("n_iter = 20", "n_iter = 0")),
)


@row(
    "cli-sweep-trial-of-other-options",
    cli.UsageError,
    "…: the trial … was trained with other options (…). Trials are named by the options that "
    "vary, so a sweep whose shared options changed needs another --out",
)
def _(env):
    trial = env.tmp_path / "out" / "trials" / "loss=minimax,seed=0"
    trial.mkdir(parents=True)
    config = cli.resolve_config("ring", loss="minimax", n_iter=30)
    (trial / "config.json").write_text(json.dumps(config))
    sweep_file(env, SWEEP)


@row(
    "cli-checkpoint-damaged",
    FileNotFoundError,
    "Cannot restore the checkpoint …: …. Restore another one (newest intact: …",
)
def _(env):
    inference = written_checkpoints(env)
    data = env.tmp_path / "ckpt-2.data-00000-of-00001"
    data.write_bytes(data.read_bytes()[:5])
    inference.restore(str(env.tmp_path / "ckpt-2"))


@row(
    "cli-checkpoint-not-read-back",
    OSError,
    "The checkpoint … just written does not read back (…); the older checkpoints are kept. Check "
    "the disk (free space, errors) and resume.",
)
def _(env):
    from gan_infer.inferences import checkpoints

    env.monkeypatch.setattr(checkpoints, "checkpoint_damage", lambda path: "disk full")
    checkpointed_gan(env).run()


@row(
    "cli-checkpoint-dir-in-use",
    DirectoryInUseError,
    "… is in use by process 1 on … (lock file …): wait for it to finish, stop it, or use "
    "another directory. If no such process runs, delete the lock file.",
)
def _(env):
    env.tmp_path.mkdir(parents=True)
    # Process 1 always runs: this directory is another live process's.
    (env.tmp_path / ".lock").write_text(f"1 {socket.gethostname()}\n")
    checkpointed_gan(env)


@row(
    "cli-save-non-finite",
    FloatingPointError,
    "Not saving a checkpoint at iteration …: the parameters hold NaN or Inf.",
)
def _(env):
    inference = written_checkpoints(env)
    ed.get_session().run(tf.trainable_variables()[0].assign(np.nan))
    inference.save_checkpoint()


row(
    "cli-config-not-json",
    cli.UsageError,
    "…config.json is not valid JSON (… at line …, column …): the file is damaged. Restore it, or "
    "delete it and run the command that made it again",
    lambda env: cli.check_same_run(
        write(env, "config.json", b'{"model": "ring", "n_i').parent, cli.resolve_config("ring")
    ),
)

row(
    "cli-out-is-a-file",
    cli.UsageError,
    "… is a file, not a directory: --out names the directory of a run (a new one, or one to "
    "resume). Pass another path.",
    lambda env: cli.check_same_run(write(env, "notes.txt", b"x"), cli.resolve_config("ring")),
)


# The SBI benchmark (benchmarks/sbi/run.py --task)


def _sbi(name):
    sbi = str(Path(__file__).resolve().parents[2] / "benchmarks" / "sbi")
    if sbi not in sys.path:
        sys.path.insert(0, sbi)
    return importlib.import_module(name)


row(
    "cli-sbi-unknown-task",
    ValueError,
    "--task … is neither a task of benchmarks/sbi/tasks/ (…) nor a PATH.py.",
    lambda env: _sbi("protocol").load_task("three_moons"),
)
row(
    "cli-sbi-task-file-missing",
    FileNotFoundError,
    "--task …: no such file.",
    lambda env: _sbi("protocol").load_task(str(env.tmp_path / "absent.py")),
)


@row(
    "cli-sbi-task-incomplete",
    ValueError,
    "task module … lacks …; a task defines NAME, PARAMETER_NAMES and the functions prior, "
    "simulate, observation, reference_posterior, true_parameters (see "
    "benchmarks/sbi/tasks/__init__.py).",
)
def _incomplete_task(env):
    env.tmp_path.mkdir(parents=True, exist_ok=True)
    path = env.tmp_path / "half_task.py"
    path.write_text("NAME = 'half'\n")
    _sbi("protocol").load_task(str(path))


@row(
    "cli-sbi-task-files-missing",
    FileNotFoundError,
    "…: no ….csv[.bz2] in …; set GAN_INFER_SBIBM_DIR to the folder holding sbibm's task files.",
)
def _files_missing(env):
    env.monkeypatch.setenv("GAN_INFER_SBIBM_DIR", str(env.tmp_path))
    _sbi("task_files").read_rows("two_moons", 1, "observation")


row(
    "cli-sbi-observation-number",
    ValueError,
    "…: observations are numbered 1..10, got …",
    lambda env: _sbi("task_files").read_rows("two_moons", 11, "observation"),
)


test_row = row_test(__name__)
