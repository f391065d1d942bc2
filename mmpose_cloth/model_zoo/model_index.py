"""The model zoo's index: MMPose's ``model-index.yml`` + per-family
``metafile.yml``, read the way MMEngine's inferencers and OpenMMLab's
``mim`` read them, so a name means the same model everywhere."""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List

from mmengine.fileio import load

__all__ = ['DEFAULT_MODEL', 'ZooModel', 'index_dir', 'list_models',
           'get_model', 'format_models']

#: The alias of the model ``tools/infer.py`` and the apis use when no model
#: is named (as MMPose's inferencer aliases ``human``, ``hand``, ...).
DEFAULT_MODEL = 'garment'


@dataclass
class ZooModel:
    """One ``Models`` entry of a metafile.

    Attributes:
        name (str): its ``Name``.
        aliases (list[str]): its ``Alias`` list.
        config (str): absolute path of its ``Config``.
        weights (str): its ``Weights`` (``mmpose-cloth://<file>``).
        results (dict): ``Metrics`` of its first ``Results`` entry.
        metadata (dict): its ``Metadata``.
    """
    name: str
    aliases: List[str]
    config: str
    weights: str
    results: Dict[str, float] = field(default_factory=dict)
    metadata: Dict = field(default_factory=dict)


def index_dir() -> str:
    """Where ``model-index.yml`` and ``configs/`` are: the checkout (an
    editable install) or the package's ``.mim`` folder (a wheel), as
    MMEngine's ``BaseInferencer._get_repo_or_mim_dir`` finds them."""
    package = osp.dirname(osp.dirname(osp.abspath(__file__)))
    repo = osp.dirname(package)
    if osp.isfile(osp.join(repo, 'model-index.yml')):
        return repo
    return osp.join(package, '.mim')


def list_models() -> List[ZooModel]:
    """Every model of the index, in the order of its metafiles."""
    root = index_dir()
    path = osp.join(root, 'model-index.yml')
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'no model-index.yml in {root}: reinstall mmpose-cloth (a '
            f'wheel carries it in mmpose_cloth/.mim)')
    models = []
    for meta in load(path)['Import']:
        for m in load(osp.join(root, meta)).get('Models', []):
            aliases = m.get('Alias', [])
            results = m.get('Results') or [{}]
            models.append(
                ZooModel(
                    name=m['Name'],
                    aliases=[aliases] if isinstance(aliases, str)
                    else list(aliases),
                    config=osp.join(root, m['Config']),
                    weights=m['Weights'],
                    results=dict(results[0].get('Metrics', {})),
                    metadata=dict(m.get('Metadata', {}))))
    return models


def get_model(name: str = DEFAULT_MODEL) -> ZooModel:
    """The model with this ``Name`` or ``Alias`` (case-insensitive).

    Raises:
        KeyError: no such model; the message lists the names.
    """
    models = list_models()
    key = name.lower()
    for m in models:
        if key == m.name.lower() or key in (a.lower() for a in m.aliases):
            return m
    names = ', '.join(f'{m.name} ({", ".join(m.aliases)})' if m.aliases
                      else m.name for m in models)
    raise KeyError(f'no model {name!r} in the model zoo; it has: '
                   f'{names or "none"}')


def format_models() -> str:
    """The zoo as ``tools/infer.py --list-models`` prints it: name, aliases,
    val NE and category accuracy, the default marked."""
    lines = []
    for m in list_models():
        mark = '*' if DEFAULT_MODEL in m.aliases else ' '
        ne = m.results.get('NE')
        acc = m.results.get('Category accuracy')
        lines.append(
            f'{mark} {m.name}  alias: {", ".join(m.aliases) or "-"}  '
            f'val NE: {"n/a" if ne is None else f"{ne}%"}  category '
            f'accuracy: {"n/a" if acc is None else f"{acc}%"}')
    lines.append('(* the default model)')
    return '\n'.join(lines)
