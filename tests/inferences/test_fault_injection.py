"""Fault injection: damaged checkpoint folders, killed and concurrent trainers.

Each case damages a run the way a crash, a full disk or a second process
would, then trains again; the run must finish, naming what it skipped, with
the losses of an uninterrupted run wherever the files allow it.
"""

import errno
import os
import random
import signal
import subprocess

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer import layers
from gan_infer.inferences import checkpoints as checkpoints_module
from gan_infer.models import Uniform
from gan_infer.util import DirectoryInUseError, DirectoryLock
from tests.inferences.test_checkpoints import finish, losses_by_iteration, program, wait_for_lines

N_ITER = 12
DATA = np.random.RandomState(0).uniform(size=[40, 3]).astype(np.float32)


def train(checkpoint_dir, n_iter=N_ITER, keep=2):
    """Train a tiny GAN in a graph of its own with run(), saving every 2
    iterations; returns {t: (loss, loss_d)} of the iterations it ran."""
    losses = {}
    with tf.Graph().as_default():
        ed.set_seed(7)
        with tf.variable_scope("Gen"):
            eps = Uniform(tf.zeros([4, 2]), tf.ones([4, 2]))
            x = layers.dense(eps, 3, activation=tf.sigmoid)
        inference = ed.GANInference(
            data={x: ed.Minibatches(DATA)}, discriminator=lambda x: layers.dense(x, 1)
        )
        inference.run(
            n_iter=n_iter,
            n_print=0,
            optimizer="adam",
            optimizer_d="adam",
            checkpoint_dir=str(checkpoint_dir),
            checkpoint_every=2,
            keep_checkpoints=keep,
            monitors=[lambda info: losses.update({info["t"]: (info["loss"], info["loss_d"])})],
        )
    return losses


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return train(tmp_path_factory.mktemp("reference"))


def files(directory):
    return sorted(name for name in os.listdir(directory) if not name.startswith("."))


def truncate(path):
    with open(path, "r+b") as handle:
        handle.truncate(os.path.getsize(path) // 2)


def flip_a_bit(path):
    with open(path, "r+b") as handle:
        handle.seek(os.path.getsize(path) // 2)
        byte = handle.read(1)[0]
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte ^ 0x10]))


def data_file(prefix):
    return f"{prefix}.data-00000-of-00001"


DAMAGE = {
    "truncated data": lambda prefix: truncate(data_file(prefix)),
    "bit-flipped data": lambda prefix: flip_a_bit(data_file(prefix)),
    "truncated index": lambda prefix: truncate(f"{prefix}.index"),
    "missing data": lambda prefix: os.unlink(data_file(prefix)),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_resume_skips_a_damaged_latest_checkpoint_naming_it(tmp_path, reference, damage, capfd):
    train(tmp_path, n_iter=6)
    DAMAGE[damage](str(tmp_path / "ckpt-6"))
    resumed = train(tmp_path)
    out, err = capfd.readouterr()
    assert f"Skipping the damaged checkpoint {tmp_path / 'ckpt-6'}" in err
    assert f"Resuming from {tmp_path / 'ckpt-4'} at iteration 4" in out
    assert resumed == {t: reference[t] for t in range(5, N_ITER + 1)}
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "ckpt-12")


def test_a_deleted_index_is_rebuilt_from_the_files(tmp_path, reference, capfd):
    train(tmp_path, n_iter=6)
    os.unlink(tmp_path / "checkpoint")
    resumed = train(tmp_path)
    assert f"Resuming from {tmp_path / 'ckpt-6'} at iteration 6" in capfd.readouterr().out
    assert resumed == {t: reference[t] for t in range(7, N_ITER + 1)}
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == ["ckpt-10", "ckpt-12"]


def test_a_save_killed_half_way_leaves_the_previous_checkpoint(tmp_path, reference, capfd):
    train(tmp_path, n_iter=6)
    # What a process killed while TensorFlow wrote ckpt-8 leaves: its
    # temporary shard folder and a half-written index, not in the index file.
    (tmp_path / "ckpt-8_temp").mkdir()
    (tmp_path / "ckpt-8_temp" / "part-00000-of-00001.data-00000-of-00001").write_bytes(b"\0" * 9)
    (tmp_path / "ckpt-8.index").write_bytes(b"\x08\x01 half an index")
    resumed = train(tmp_path)
    assert f"Skipping the damaged checkpoint {tmp_path / 'ckpt-8'}" in capfd.readouterr().err
    assert resumed == {t: reference[t] for t in range(7, N_ITER + 1)}
    assert not (tmp_path / "ckpt-8_temp").exists()


def test_nothing_older_is_deleted_until_a_newer_checkpoint_reads_back(tmp_path, monkeypatch):
    train(tmp_path, n_iter=4)
    before = files(tmp_path)
    intact = checkpoints_module.checkpoint_damage
    monkeypatch.setattr(
        checkpoints_module,
        "checkpoint_damage",
        lambda path: "disk full" if path.endswith("ckpt-6") else intact(path),
    )
    with pytest.raises(OSError, match=r"ckpt-6 just written does not read back \(disk full\)"):
        train(tmp_path, n_iter=6)
    monkeypatch.undo()
    assert set(before) <= set(files(tmp_path))  # ckpt-2 and ckpt-4 both still there
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "ckpt-4")


def test_a_second_process_is_refused_while_the_first_trains(tmp_path, reference):
    lock = DirectoryLock(tmp_path)
    lock.acquire()  # as this process's inference holds it while training
    code, output = finish(program(tmp_path, tmp_path.parent / f"{tmp_path.name}-second.txt"))
    lock.release()
    assert code != 0
    assert f"{tmp_path} is in use by process {os.getpid()}" in output
    assert "DirectoryInUseError" in output and files(tmp_path) == []
    assert train(tmp_path) == reference


def test_a_stale_lock_of_a_killed_process_is_taken_over(tmp_path, reference, capfd):
    dead = subprocess.Popen(["true"])
    dead.wait()
    (tmp_path / ".lock").write_text(f"{dead.pid} {os.uname().nodename}\n")
    assert train(tmp_path) == reference
    assert f"stale lock {tmp_path / '.lock'} of process {dead.pid}" in capfd.readouterr().err
    assert not (tmp_path / ".lock").exists()  # released at the end of run()
    with pytest.raises(DirectoryInUseError, match="is in use by process 1 "):
        (tmp_path / ".lock").write_text(f"1 {os.uname().nodename}\n")  # init: always alive
        DirectoryLock(tmp_path).acquire()


def test_sigkill_at_random_points_then_resume_gives_the_uninterrupted_losses(tmp_path):
    """Killed twice at random iterations while saving at every one (so a kill
    often lands inside a checkpoint write), then run to the end."""
    flags = ("--checkpoint-every", "1")
    code, output = finish(program(tmp_path / "reference", tmp_path / "reference.txt", *flags))
    assert code == 0, output
    losses = tmp_path / "killed.txt"
    rng = random.Random()
    for low in (3, 20):
        process = program(tmp_path / "run", losses, *flags)
        wait_for_lines(losses, rng.randint(low, low + 12), process)
        process.send_signal(signal.SIGKILL)
        process.wait()
    code, output = finish(program(tmp_path / "run", losses, *flags))
    assert code == 0, output
    assert losses_by_iteration(losses) == losses_by_iteration(tmp_path / "reference.txt")


def test_a_full_disk_while_saving_names_the_disk_and_keeps_the_last_checkpoint(
    tmp_path, reference, monkeypatch
):
    """What TensorFlow does on ENOSPC: a temporary shard half-written, then
    ResourceExhaustedError, whose hint speaks of memory."""
    train(tmp_path, n_iter=4)
    save = tf.train.Saver.save

    def full_disk(saver, session, prefix, global_step=None, **kwargs):
        if global_step != 6:
            return save(saver, session, prefix, global_step=global_step, **kwargs)
        shard = f"{prefix}-6.data-00000-of-00001.tempstate1"  # as on a 2 MB tmpfs, filled
        with open(shard, "wb") as handle:
            handle.write(b"\0" * 100)
        raise tf.errors.ResourceExhaustedError(None, None, f"{shard}; No space left on device")

    monkeypatch.setattr(tf.train.Saver, "save", full_disk)
    with pytest.raises(OSError) as info:
        train(tmp_path, n_iter=6)
    monkeypatch.undo()
    assert info.value.errno == errno.ENOSPC
    message = str(info.value)
    assert (
        f"No space left on the device of {tmp_path} while saving the checkpoint ckpt-6" in message
    )
    assert f"The last good checkpoint, {tmp_path / 'ckpt-4'}, is kept." in message
    assert "memory" not in message.lower()
    kept = [f"ckpt-{t}{end}" for t in (2, 4) for end in (".data-00000-of-00001", ".index")]
    assert files(tmp_path) == ["checkpoint", *kept]  # nothing of ckpt-6 left to fill the disk
    assert train(tmp_path) == {t: reference[t] for t in range(5, N_ITER + 1)}
