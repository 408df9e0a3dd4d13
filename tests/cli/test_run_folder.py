"""A run directory: a run of other options is refused, watching options may change."""

import json

from gan_infer import cli
from tests.cli.helpers import run_main


def test_a_run_directory_of_other_options_is_refused(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps(cli.resolve_config("ring", n_iter=30)))
    code, out, err = run_main(
        capsys, "train", "ring", "--n-iter", 30, "--loss", "hinge", "--seed", 3, "--out", run
    )
    assert code == cli.EXIT_USAGE
    assert "--loss 'non_saturating' there, 'hinge' here; --seed 0 there, 3 here" in err
    assert f"gan-infer train ring --out {run} --loss non_saturating --seed 0" in err
    assert "pass another --out" in err
    # Watching and keeping options may change between invocations.
    assert not cli.differences(
        run, cli.resolve_config("ring", n_iter=30, n_print=1, keep_checkpoints=9, evaluate=False)
    )[0]
