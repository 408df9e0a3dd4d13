"""Utilities: sessions, seeds, the graph-mode guard, progress and safe files.

Imported lazily, so that `gan_infer.util.files` (used by the data loaders)
does not pull in TensorFlow.
"""

import importlib

_LAZY = {
    "GraphModeError": "gan_infer.util.session",
    "get_session": "gan_infer.util.session",
    "require_graph_mode": "gan_infer.util.session",
    "set_seed": "gan_infer.util.session",
    "Progbar": "gan_infer.util.progbar",
    "atomic_write": "gan_infer.util.files",
    "DirectoryInUseError": "gan_infer.util.files",
    "DirectoryLock": "gan_infer.util.files",
    "ensure_directory": "gan_infer.util.files",
    "save_npy": "gan_infer.util.files",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'gan_infer.util' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
