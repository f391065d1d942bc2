"""mmpose-cloth: an MMPose 1.x plugin for clothing keypoints (FashionAI)."""
import os.path as osp

from setuptools import find_packages, setup


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


setup(
    name='mmpose-cloth',
    version=read_version(),
    description='FashionAI clothing keypoints for MMPose 1.x: dataset, '
    'normalized-error metric, CPN, DetNet and baseline configs',
    long_description=open('README.md').read() if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(
        include=['fashionai_format', 'mmpose_cloth', 'mmpose_cloth.*']),
    python_requires='>=3.9',
    install_requires=read_requirements('runtime.txt'),
    extras_require={'tests': read_requirements('tests.txt')},
    license='Apache License 2.0',
    zip_safe=False,
)
