"""Modules loaded on first use (importlib.util.LazyLoader, as the Python documentation shows).

Machine-learning libraries take seconds of CPU to import. The web processes, and a worker at
start, need the services that use them importable but rarely call them: a lazy module keeps
`from casework import services_triage` cheap until a model is actually trained or asked.
"""

import importlib.util
import sys


def lazy_module(name: str):
    """The module `name`, executed only when one of its attributes is first read."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    return module
