"""The package's layers point down and its modules import no cycle, read
from the source (``ast``; nothing is imported):

    fashionai_format
      <- mmpose_cloth.{version, compat, utils, registry, structures}
      <- mmpose_cloth.{codecs, datasets, evaluation, models, engine,
                       visualization, testing, baselines, model_zoo}
      <- mmpose_cloth.predictors   (the one inference interface)
      <- mmpose_cloth.deploy       (ONNX export and runtime)
      <- mmpose_cloth.apis         (the predictor factory, inference runs)
      <- mmpose_cloth.analysis     (benchmarks)

Every import counts, also one inside a function or under ``if
TYPE_CHECKING`` (that is how an upward import hides). Where inference
lives, modules import at their top, except optional dependencies."""
import ast
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Set, Tuple

import pytest

from conftest import REPO

#: the layers, lowest first; a module may import its own layer or lower ones
LAYERS: Tuple[Tuple[str, ...], ...] = (
    ('fashionai_format', ),
    ('mmpose_cloth.version', 'mmpose_cloth.compat', 'mmpose_cloth.utils',
     'mmpose_cloth.registry', 'mmpose_cloth.structures'),
    ('mmpose_cloth.codecs', 'mmpose_cloth.datasets',
     'mmpose_cloth.evaluation', 'mmpose_cloth.models', 'mmpose_cloth.engine',
     'mmpose_cloth.visualization', 'mmpose_cloth.testing',
     'mmpose_cloth.baselines', 'mmpose_cloth.model_zoo'),
    ('mmpose_cloth.predictors', ),
    ('mmpose_cloth.deploy', ),
    ('mmpose_cloth.apis', ),
    ('mmpose_cloth.analysis', ),
)
#: ``import mmpose_cloth`` registers the plugin: it is as low as the parts
#: it imports (checked below), and nothing else lives at its level
ROOT_LAYER = 2
#: packages whose modules import at their top, and what they may import
#: inside a function: optional dependencies
TOP_IMPORTS_IN = ('mmpose_cloth.predictors', 'mmpose_cloth.deploy',
                  'mmpose_cloth.apis', 'mmpose_cloth.utils')
OPTIONAL = ('onnx', 'onnxruntime', 'mmdet', 'torch.onnx._constants')


def _modules(root: str = REPO) -> Dict[str, Tuple[str, bool]]:
    """Module name -> (file, is a package's ``__init__``)."""
    import glob
    out = {}
    for pkg in ('mmpose_cloth', 'fashionai_format'):
        for path in sorted(glob.glob(osp.join(root, pkg, '**', '*.py'),
                                     recursive=True)):
            parts = osp.relpath(path, root)[:-3].split(osp.sep)
            is_pkg = parts[-1] == '__init__'
            out['.'.join(parts[:-1] if is_pkg else parts)] = (path, is_pkg)
    return out


def _targets(module: str, is_pkg: bool, node, modules) -> List[str]:
    """The project modules an import statement names (a package, and a
    submodule imported from it)."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        if node.level:
            base = module.split('.')[:len(module.split('.')) + is_pkg -
                                     node.level]
            target = '.'.join(base + ([node.module] if node.module else []))
        else:
            target = node.module
        names = [target] + [f'{target}.{a.name}' for a in node.names
                            if f'{target}.{a.name}' in modules]
    out = []
    for name in names:
        while name not in modules and '.' in name:
            name = name.rsplit('.', 1)[0]  # a name from a module
        if name in modules and name != module:
            out.append(name)
    return out


def import_graph(root: str = REPO) -> Dict[str, Set[str]]:
    """Module -> the project modules it imports (anywhere in it)."""
    modules = _modules(root)
    graph = defaultdict(set)
    for module, (path, is_pkg) in modules.items():
        with open(path, encoding='utf-8') as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                graph[module].update(_targets(module, is_pkg, node, modules))
        graph[module]  # every module, also one that imports nothing
    return dict(graph)


def layer_of(module: str) -> int:
    if module == 'mmpose_cloth':
        return ROOT_LAYER
    for i, layer in enumerate(LAYERS):
        if any(module == p or module.startswith(p + '.') for p in layer):
            return i
    raise KeyError(module)


def upward_imports(graph) -> List[str]:
    return sorted(f'{a} (layer {layer_of(a)}) imports {b} (layer '
                  f'{layer_of(b)})' for a, targets in graph.items()
                  for b in targets if layer_of(b) > layer_of(a))


def cycles(graph) -> List[List[str]]:
    """The import cycles: strongly connected groups of more than one
    module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _package(module: str) -> str:
    parts = module.split('.')
    return '.'.join(parts[:2]) if parts[0] == 'mmpose_cloth' else parts[0]


def package_graph(graph) -> Dict[str, Set[str]]:
    out = defaultdict(set)
    for a, targets in graph.items():
        out[_package(a)].update(_package(b) for b in targets
                                if _package(b) != _package(a))
    return dict(out)


@pytest.fixture(scope='module')
def graph():
    return import_graph()


def test_every_module_has_a_layer(graph):
    unplaced = []
    for module in graph:
        try:
            layer_of(module)
        except KeyError:
            unplaced.append(module)
    assert not unplaced, f'put these in LAYERS: {unplaced}'


def test_no_upward_import(graph):
    assert upward_imports(graph) == []
    # the root's place: as low as what it imports
    assert max(layer_of(m) for m in graph['mmpose_cloth']) <= ROOT_LAYER


def test_no_import_cycle(graph):
    assert cycles(graph) == []
    # nor between packages (deploy <-> apis, say), through any modules
    assert cycles(package_graph(graph)) == []


def test_the_checks_see_what_they_guard(tmp_path):
    """An upward import hidden in a function and a cycle between two
    packages of one layer are both found (the guards can fail)."""
    graph = import_graph()
    graph['mmpose_cloth.deploy.onnx_check'] = graph[
        'mmpose_cloth.deploy.onnx_check'] | {'mmpose_cloth.apis.predictor'}
    assert upward_imports(graph) == [
        'mmpose_cloth.deploy.onnx_check (layer 4) imports '
        'mmpose_cloth.apis.predictor (layer 5)'
    ]
    assert cycles(package_graph(graph)) == [
        ['mmpose_cloth.apis', 'mmpose_cloth.deploy']]
    # the same read from source: a hidden import in a copy of a module
    pkg = tmp_path / 'mmpose_cloth'
    (pkg / 'deploy').mkdir(parents=True)
    (pkg / 'apis').mkdir()
    for init in ('__init__.py', 'deploy/__init__.py', 'apis/__init__.py'):
        (pkg / init).write_text('')
    (pkg / 'apis' / 'predictor.py').write_text(
        'from mmpose_cloth.deploy import check\n')
    (pkg / 'deploy' / 'check.py').write_text(
        'def compare():\n    from ..apis.predictor import build\n')
    small = import_graph(str(tmp_path))
    assert small['mmpose_cloth.deploy.check'] == {
        'mmpose_cloth.apis.predictor'}
    assert cycles(small) == [['mmpose_cloth.apis.predictor',
                              'mmpose_cloth.deploy.check']]


def _function_imports(path: str) -> List[Tuple[int, str]]:
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), path)
    out = []
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, ast.Import):
                    out += [(node.lineno, a.name) for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    out.append((node.lineno, '.' * node.level +
                                (node.module or '')))
    return out


def test_inference_imports_at_the_top():
    lazy = []
    for module, (path, _) in _modules().items():
        if module.startswith(TOP_IMPORTS_IN):
            lazy += [f'{module}:{line} {name}'
                     for line, name in _function_imports(path)
                     if not name.startswith(OPTIONAL)]
    assert lazy == []


def test_no_tool_imports_another():
    """Tools are thin: what one shares with another is in the package."""
    import glob
    found = []
    for path in sorted(glob.glob(osp.join(REPO, 'tools', '**', '*.py'),
                                 recursive=True)):
        with open(path, encoding='utf-8') as f:
            text = f.read()
        for node in ast.walk(ast.parse(text, path)):
            names = [a.name for a in node.names] if isinstance(
                node, ast.Import) else [node.module or ''] if isinstance(
                    node, ast.ImportFrom) else []
            found += [f'{osp.relpath(path, REPO)} imports {n}'
                      for n in names if n.split('.')[0] == 'tools']
        if 'spec_from_file_location' in text or 'runpy' in text:
            found.append(f'{osp.relpath(path, REPO)} loads a file as code')
    assert found == []
