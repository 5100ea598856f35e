"""The package list, which pyproject.toml cannot express (all other settings are in pyproject.toml).

``[tool.setuptools.packages.find]`` only finds packages in the folders it walks, and the resources
package, ``handover._resources``, lives in the repository's top-level ``resources/`` folder (mapped by
``[tool.setuptools.package-dir]``). So the list is found here: every folder under ``handover/`` and
``ui/`` (with or without ``__init__.py``, so a new subpackage is never left out), plus that package.
"""

from setuptools import find_namespace_packages, setup

PACKAGES = find_namespace_packages(
    include=["handover", "handover.*", "ui", "ui.*"],
    exclude=["*.__pycache__", "*.__pycache__.*"],
)

setup(packages=[*PACKAGES, "handover._resources"])
