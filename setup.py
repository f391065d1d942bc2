"""mmpose-cloth: an MMPose 1.x plugin for clothing keypoints (FashionAI)."""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

#: What OpenMMLab's mim reads from an installed package's .mim folder
#: (``mim search``, ``mim train``, ``mim test``), as MMPose ships them.
MIM_FILES = ('configs', 'tools', 'model-index.yml')


def read_version() -> str:
    ns = {}
    with open(osp.join(osp.dirname(__file__), 'mmpose_cloth', 'version.py')) as f:
        exec(f.read(), ns)
    return ns['__version__']


def read_requirements(name: str):
    path = osp.join(osp.dirname(__file__), 'requirements', name)
    with open(path) as f:
        return [
            line.split('#')[0].strip() for line in f
            if line.split('#')[0].strip()
        ]


def add_mim_extension() -> None:
    """Put configs, tools and the model index into ``mmpose_cloth/.mim``, as
    MMPose's setup.py does: symlinks for an editable install, copies for a
    wheel or sdist."""
    if 'develop' in sys.argv or 'editable_wheel' in sys.argv:
        mode = 'symlink'
    elif {'sdist', 'bdist_wheel', 'build', 'install'} & set(sys.argv):
        mode = 'copy'
    else:
        return
    here = osp.dirname(osp.abspath(__file__))
    mim = osp.join(here, 'mmpose_cloth', '.mim')
    os.makedirs(mim, exist_ok=True)
    for name in MIM_FILES:
        src, dst = osp.join(here, name), osp.join(mim, name)
        if not osp.exists(src):
            continue
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(src, dst)
        elif osp.isdir(src):
            shutil.copytree(src, dst)
        else:
            shutil.copyfile(src, dst)


add_mim_extension()
setup(
    name='mmpose-cloth',
    version=read_version(),
    description='FashionAI clothing keypoints for MMPose 1.x: dataset, '
    'normalized-error metric, CPN, DetNet and baseline configs',
    long_description=open('README.md').read() if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(
        include=['fashionai_format', 'mmpose_cloth', 'mmpose_cloth.*']),
    include_package_data=False,
    package_data={'mmpose_cloth': ['.mim/**/*', '.mim/*',
                                   'model_zoo/weights/*.pth',
                                   'model_zoo/weights/*.sha256']},
    python_requires='>=3.9',
    install_requires=read_requirements('runtime.txt'),
    extras_require={'tests': read_requirements('tests.txt')},
    license='Apache License 2.0',
    zip_safe=False,
)
