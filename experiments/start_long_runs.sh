#!/usr/bin/env bash
# Start (or resume) the project's long runs in the background, so that they
# outlive the session that starts them: Table 1's paper runs (issue 28) and the
# SBI table (issue 30).
#
#   bash experiments/start_long_runs.sh        # at the start of every session
#
# The work tree (and its .venv) is laid anew each session, so the runs use
# copies outside it, under $GAN_INFER_HOME (default ~/.cache/gan_infer): the
# environment in venv/ (copied from .venv once) and this commit's code in
# code-<commit>/. Each queue resumes its runs from their checkpoints (a
# finished run returns at once) and writes under runs/. A queue already
# running is left alone; one whose run is still in progress from an older
# start (another code copy) waits for that run's process to end first.
set -eu
cd "$(dirname "$0")/.."
HOME_DIR="${GAN_INFER_HOME:-$HOME/.cache/gan_infer}"
DATA_DIR="$(cd ../shared/datasets/mnist 2>/dev/null && pwd || echo "${GAN_INFER_DATA_DIR:-}")"
# The code copy lives outside the checkout, so the shared data's place is passed on.
SBIBM_DIR="$(cd ../shared/datasets/sbibm 2>/dev/null && pwd || echo "${GAN_INFER_SBIBM_DIR:-}")"
COMMIT="$(git rev-parse --short HEAD)"
CODE="$HOME_DIR/code-$COMMIT"
mkdir -p "$HOME_DIR/runs"
if [ ! -x "$HOME_DIR/venv/bin/python" ]; then
    make venv >/dev/null
    cp -a .venv "$HOME_DIR/venv"
fi
if [ ! -d "$CODE" ]; then
    mkdir -p "$CODE.tmp" && git archive HEAD | tar -x -C "$CODE.tmp" && mv "$CODE.tmp" "$CODE"
fi
export PYTHON="$HOME_DIR/venv/bin/python" PYTHONPATH="$CODE" GAN_INFER_CODE="$CODE"
export GAN_INFER_DATA_DIR="$DATA_DIR" GAN_INFER_SBIBM_DIR="$SBIBM_DIR" GAN_INFER_RUNS="$HOME_DIR/runs"

start() {  # start NAME PATTERN-OF-ITS-RUNS COMMAND...: once, after older runs of it end
    local name=$1 pattern=$2
    shift 2
    if pgrep -f "$name" >/dev/null; then
        echo "$name: already running"
        return
    fi
    echo "$name: starting from $CODE (log in $GAN_INFER_RUNS)"
    # The pattern goes by the environment: in the command line, pgrep would find it there.
    # setsid makes a new session, and Linux's autogroup scheduler shares the CPU
    # between sessions before nice counts: without the autogroup's own nice of 19,
    # each queue would get as much CPU as the user's shell and tests.
    WAIT_FOR="$pattern" nohup setsid nice -n 19 bash -c \
        'echo 19 > /proc/self/autogroup 2>/dev/null
         while pgrep -af "$WAIT_FOR" | grep -vq "$GAN_INFER_CODE/"; do sleep 60; done
         cd "$GAN_INFER_CODE" && exec "$@"' \
        queue "$@" >/dev/null 2>&1 &
}

start table1_runs.sh "gan_paper_mnist.py" bash experiments/table1_runs.sh
# The DCGAN defaults' runs (issue 32) all finished on 2026-12-07 and are scored in
# docs/data/dcgan_defaults_beyond_mnist/; experiments/dcgan_defaults_runs.sh reruns
# or extends them by hand.
SBI_RUNS="sbi/run\.py|sbi/rejection_abc\.py"
start run_queue.sh "$SBI_RUNS" bash benchmarks/sbi/run_queue.sh
# A second SBI queue on the core Table 1's queue leaves when it ends: the two
# share the runs (run_table.py claims each before it starts it).
start "run_queue.sh --worker 2" "table1_runs\.sh|gan_paper_mnist\.py|$SBI_RUNS" \
    bash benchmarks/sbi/run_queue.sh --worker 2
