"""The build step that carries the top-level ``styles/`` into the package.

``styles/`` stays the one home of the built-in themes and CSS templates; a wheel gets them as
``report_export/styles/`` (found beside the package's modules, see ``report_export.resources``).
An editable install copies nothing: it runs from the checkout, whose ``styles/`` it reads.
Everything else about the package is declared in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithStyles(build_py):
    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            target = Path(self.build_lib, "report_export", "styles")
            self.copy_tree("styles", str(target), preserve_mode=False)


setup(cmdclass={"build_py": BuildPyWithStyles})
