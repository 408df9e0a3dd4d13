"""Checkpoints, exact resume after SIGKILL, Ctrl-C, and NaN stops (issue: operations)."""

import os
import pathlib
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer import layers
from gan_infer.inferences.checkpoints import checkpoint_mismatch
from gan_infer.models import Uniform

PROGRAM = pathlib.Path(__file__).with_name("resume_program.py")
N_ITER = 40


def program(checkpoint_dir, losses_file, *flags):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, str(PROGRAM), str(checkpoint_dir), str(losses_file), str(N_ITER), *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )


def losses_by_iteration(path):
    """The last line written for each t (a resumed run redoes a few)."""
    losses = {}
    for line in pathlib.Path(path).read_text().splitlines():
        t, rest = line.split(" ", 1)
        losses[int(t)] = rest
    return losses


def wait_for_lines(path, count, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= count:
            return
        if process.poll() is not None:
            raise AssertionError(f"the program ended early: {process.stdout.read()}")
        time.sleep(0.005)
    raise AssertionError("the program did not get far enough in time")


def finish(process):
    output, _ = process.communicate(timeout=300)
    return process.returncode, output


# The simultaneous schedule is killed at random points in
# tests/inferences/test_fault_injection.py.
@pytest.mark.parametrize("flags", [("--disc-steps", "2")], ids=["k-steps"])
def test_sigkill_at_a_random_step_then_resume_gives_the_uninterrupted_losses(tmp_path, flags):
    code, output = finish(program(tmp_path / "reference", tmp_path / "reference.txt", *flags))
    assert code == 0, output
    reference = losses_by_iteration(tmp_path / "reference.txt")
    assert sorted(reference) == list(range(1, N_ITER + 1))

    # After line 8, checkpoint 7 exists (the program saves every 7 iterations).
    killed_at = random.Random().randint(8, N_ITER - 5)
    losses = tmp_path / "resumed.txt"
    process = program(tmp_path / "run", losses, *flags)
    wait_for_lines(losses, killed_at, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    code, output = finish(program(tmp_path / "run", losses, *flags))
    assert code == 0, output
    assert "Resuming from" in output
    assert losses_by_iteration(losses) == reference  # bit for bit, every iteration


def test_ctrl_c_saves_a_checkpoint_and_the_run_resumes_exactly(tmp_path):
    code, output = finish(
        program(tmp_path / "reference", tmp_path / "reference.txt", "--checkpoint-every", "1000")
    )
    assert code == 0, output
    losses = tmp_path / "interrupted.txt"
    process = program(tmp_path / "run", losses, "--checkpoint-every", "1000", "--slow-from", "10")
    wait_for_lines(losses, 10, process)
    process.send_signal(signal.SIGINT)
    code, output = finish(process)
    assert code != 0 and "KeyboardInterrupt" in output
    assert "Interrupted: saved" in output
    saved_at = int(tf.train.latest_checkpoint(str(tmp_path / "run")).rsplit("-", 1)[1])
    assert 10 <= saved_at < N_ITER
    code, output = finish(program(tmp_path / "run", losses, "--checkpoint-every", "1000"))
    assert code == 0 and f"at iteration {saved_at}" in output, output
    assert losses_by_iteration(losses) == losses_by_iteration(tmp_path / "reference.txt")


def small_gan(data, poison=None, **initialize_kwargs):
    initialize_kwargs.setdefault("n_print", 0)
    with tf.variable_scope("Gen"):
        eps = Uniform(tf.zeros([4, 2]), tf.ones([4, 2]))
        x = layers.dense(eps, 1)
        if poison is not None:
            x = x * poison
    inference = ed.GANInference(
        data={x: ed.Minibatches(data, shuffle=False)}, discriminator=lambda x: layers.dense(x, 1)
    )
    inference.initialize(**initialize_kwargs)
    return inference


@pytest.mark.parametrize("logged", [False, True], ids=["plain", "tensorboard"])
def test_a_nan_loss_stops_training_and_keeps_the_last_good_checkpoint(tmp_path, logged):
    data = np.zeros([40, 1], np.float32)
    # A factor of the samples that a monitor turns to NaN after iteration 3
    # (NaN data are refused where they are bound). Outside the checkpoints.
    poison = tf.Variable(1.0, trainable=False, collections=[], name="poison")
    ed.get_session().run(poison.initializer)
    turn_bad = poison.assign(np.nan)
    # With TensorBoard on every step, the NaN also reaches the histograms of
    # the same session call: still the same clear error.
    logging = {"logdir": str(tmp_path / "logs"), "n_print": 1} if logged else {}
    inference = small_gan(
        data, poison, n_iter=10, checkpoint_dir=tmp_path, checkpoint_every=1, **logging
    )
    monitor = lambda info: info["t"] == 3 and ed.get_session().run(turn_bad)  # noqa: E731
    with pytest.raises(FloatingPointError, match=r"loss_d became nan at iteration 4.*ckpt-3"):
        inference.run(monitors=[monitor])
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("ckpt-3")
    reader = tf.train.load_checkpoint(str(tmp_path / "ckpt-3"))
    for name in reader.get_variable_to_shape_map():
        assert np.all(np.isfinite(reader.get_tensor(name))), name


def test_only_the_last_checkpoints_are_kept(tmp_path):
    inference = small_gan(
        np.zeros([40, 1], np.float32),
        n_iter=10,
        checkpoint_dir=tmp_path,
        checkpoint_every=2,
        keep_checkpoints=2,
    )
    inference.run()
    index_files = sorted(p.name for p in tmp_path.glob("ckpt-*.index"))
    assert index_files == ["ckpt-10.index", "ckpt-8.index"]


def test_a_finished_run_started_again_does_nothing_more(tmp_path):
    small_gan(np.zeros([40, 1], np.float32), n_iter=5, checkpoint_dir=tmp_path).run()
    with tf.Graph().as_default():
        inference = small_gan(np.zeros([40, 1], np.float32), n_iter=5, checkpoint_dir=tmp_path)
        inference.run()
        assert ed.get_session().run(inference.t) == 5


def test_a_checkpoint_of_another_model_is_refused_clearly(tmp_path):
    small_gan(np.zeros([40, 1], np.float32), n_iter=2, checkpoint_dir=tmp_path).run()
    with tf.Graph().as_default():
        with tf.variable_scope("Gen"):
            x = layers.dense(Uniform(tf.zeros([4, 3]), tf.ones([4, 3])), 1, name="other")
        inference = ed.GANInference(
            data={x: np.zeros([40, 1], np.float32)}, discriminator=lambda x: layers.dense(x, 1)
        )
        inference.initialize(n_iter=2, checkpoint_dir=tmp_path)
        with pytest.raises(ValueError, match="does not match this model"):
            inference.run()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"checkpoint_every": 5}, "needs a checkpoint_dir"),
        (
            {"checkpoint_dir": "DIR", "checkpoint_every": 0},
            "checkpoint_every must be a positive int",
        ),
        (
            {"checkpoint_dir": "DIR", "keep_checkpoints": -1},
            "keep_checkpoints must be a positive int",
        ),
    ],
    ids=["every-without-dir", "every", "keep"],
)
def test_bad_checkpoint_arguments(tmp_path, kwargs, message):
    kwargs = {k: (str(tmp_path) if v == "DIR" else v) for k, v in kwargs.items()}
    with pytest.raises(ValueError, match=message):
        small_gan(np.zeros([40, 1], np.float32), n_iter=2, **kwargs)


def test_save_and_restore_need_a_checkpoint_dir():
    inference = small_gan(np.zeros([40, 1], np.float32), n_iter=2)
    with pytest.raises(RuntimeError, match="checkpoint_dir"):
        inference.save_checkpoint()
    with pytest.raises(RuntimeError, match="checkpoint_dir"):
        inference.restore()


def test_keep_checkpoints_counts_those_of_earlier_processes(tmp_path):
    small_gan(
        np.zeros([40, 1], np.float32),
        n_iter=4,
        checkpoint_dir=tmp_path,
        checkpoint_every=1,
        keep_checkpoints=2,
    ).run()
    with tf.Graph().as_default():
        small_gan(
            np.zeros([40, 1], np.float32),
            n_iter=8,
            checkpoint_dir=tmp_path,
            checkpoint_every=1,
            keep_checkpoints=2,
        ).run()
    assert sorted(p.name for p in tmp_path.glob("ckpt-*.index")) == ["ckpt-7.index", "ckpt-8.index"]


def test_wgan_gp_resumes_exactly(tmp_path):
    def losses(n_iter, directory):
        with tf.Graph().as_default():
            ed.set_seed(1)
            with tf.variable_scope("Gen"):
                x = layers.dense(Uniform(tf.zeros([4, 2]), tf.ones([4, 2])), 1)
            inference = ed.WGANInference(
                data={x: np.random.RandomState(0).normal(size=[40, 1]).astype(np.float32)},
                discriminator=lambda x: layers.dense(layers.dense(x, 8, activation=tf.nn.relu), 1),
            )
            record = []
            inference.run(
                n_iter=n_iter,
                n_print=0,
                checkpoint_dir=directory,
                monitors=[lambda info: record.append((info["loss"], info["loss_d"]))],
            )
            return record

    uninterrupted = losses(6, tmp_path / "a")
    first = losses(3, tmp_path / "b")
    resumed = losses(6, tmp_path / "b")
    assert first + resumed == uninterrupted


def test_a_checkpoint_of_other_shapes_is_refused_naming_the_first_difference(tmp_path):
    """TensorFlow alone loads a [2, 3] kernel into a variable declared
    [2, 5] and trains on: the widths are compared before restoring."""

    def gan(width):
        with tf.variable_scope("Gen"):
            eps = Uniform(tf.zeros([4, 2]), tf.ones([4, 2]))
            x = layers.dense(layers.dense(eps, width), 1)
        inference = ed.GANInference(
            data={x: np.zeros([40, 1], np.float32)}, discriminator=lambda x: layers.dense(x, 1)
        )
        inference.initialize(n_iter=4, n_print=0, checkpoint_dir=tmp_path)
        return inference

    with tf.Graph().as_default():
        gan(3).run()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("ckpt")}
    with tf.Graph().as_default():
        inference = gan(5)
        with pytest.raises(ValueError) as info:
            inference.run()
        assert ed.get_session().run(inference.t) == 0  # nothing restored, nothing trained
    assert (
        f"The checkpoint {tmp_path / 'ckpt-4'} does not match this model (it holds "
        "Gen/dense/kernel as [2, 3], this model declares [2, 5]; and " in str(info.value)
    )
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("ckpt")}
    assert after == before


def test_checkpoint_mismatch_names_missing_extra_and_retyped_variables(tmp_path):
    with tf.Graph().as_default(), tf.Session() as sess:
        kept = tf.Variable(tf.zeros([2]), name="kept")
        tf.Variable(tf.zeros([3]), name="extra")
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver().save(sess, str(tmp_path / "ckpt"))
    with tf.Graph().as_default():
        kept = tf.Variable(tf.zeros([2]), name="kept")
        assert checkpoint_mismatch(path, {"kept": kept}, exact=False) is None
        assert checkpoint_mismatch(path, {"kept": kept}) == (
            "it holds extra [3], which this model lacks"
        )
        new = tf.Variable(tf.zeros([1]), name="new")
        assert checkpoint_mismatch(path, {"new": new, "kept": kept}, exact=False) == (
            "it has no new, which this model declares as [1]"
        )
        counts = tf.Variable(tf.zeros([2], tf.int32), name="kept_1")
        assert checkpoint_mismatch(path, {"kept": counts, "new": new}, exact=False) == (
            "it holds kept as float32, this model declares int32; and 1 more difference"
        )
