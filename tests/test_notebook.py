"""docs/tutorial.ipynb runs top to bottom, shows its figures, and survives re-running its model.

The notebook runs in a real Jupyter kernel (nbclient, ipykernel) with
GAN_INFER_NOTEBOOK_QUICK=1: 20 iterations, 500 samples and a tiny classifier
(trained in seconds into a temporary cache), so every cell runs, quickly.
Then the cells from the model's down run a second time in the same kernel,
as a notebook user does, and the graph must hold the same variables as after
the first run (nothing duplicated) and training go on in the new session.
"""

import os

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

from tests.conftest import REPO_ROOT  # noqa: E402
from tests.test_console import TF_LINE  # noqa: E402

NOTEBOOK = REPO_ROOT / "docs" / "tutorial.ipynb"

PROBE = """
import gan_infer as ed
print(len(tf.global_variables()), ed.get_session().graph is tf.get_default_graph(),
      history["t"][-1])
"""


def images_shown(cell):
    return sum("image/png" in output.get("data", {}) for output in cell.get("outputs", []))


def test_the_tutorial_notebook_runs_and_its_model_cell_can_run_again(tmp_path, mnist_dir):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # A user's environment (this session's conftest sets a TensorFlow log level).
    env = dict(
        {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"},
        GAN_INFER_NOTEBOOK_QUICK="1",
        GAN_INFER_DATA_DIR=str(mnist_dir),
        GAN_INFER_CACHE_DIR=str(tmp_path / "cache"),
    )
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    with client.setup_kernel(env=env):
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        cells = len(notebook.cells)
        notebook.cells.append(nbformat.v4.new_code_cell(PROBE))
        client.execute_cell(notebook.cells[cells], cells)
        first = notebook.cells[cells].outputs[0]["text"].split()

        model = next(i for i, c in enumerate(notebook.cells) if "reset_default_graph" in c.source)
        training = next(i for i, c in enumerate(notebook.cells) if "inference.update" in c.source)
        for index in range(model, training + 1):
            client.execute_cell(notebook.cells[index], index)
        client.execute_cell(notebook.cells[cells], cells)
        second = notebook.cells.pop().outputs[0]["text"].split()

    assert first == second == [first[0], "True", "20"], (first, second)
    figures = [images_shown(cell) for cell in notebook.cells if cell.cell_type == "code"]
    assert sum(figures) == 5, figures  # two grids, the curves, neighbours, interpolation
    printed = "".join(
        output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
    )
    assert "classifier score" in printed and "Fréchet distance" in printed
    assert not TF_LINE.search(printed), printed  # a quiet console in the notebook too
