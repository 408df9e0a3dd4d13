"""Utilities: sessions, seeds, the graph-mode guard and the progress bar."""
from gan_infer.util.progbar import Progbar
from gan_infer.util.session import GraphModeError, get_session, require_graph_mode, set_seed

__all__ = ["GraphModeError", "Progbar", "get_session", "require_graph_mode", "set_seed"]
