"""The hooks of the evalengine-skp plugin (entry point ``skp`` in group ``evalengine``).

Three hooks, three kinds: an indicator type, a formula function and a report format.
Each returns classes; evalengine gathers them into its registries by ``name``.
"""

from evalengine import hookimpl

from .functions import NilaiCapaianIki
from .report import SkpReport
from .types import SkpIkiType


@hookimpl
def register_indicator_types():
    """The ``skp_iki`` indicator type."""
    return [SkpIkiType]


@hookimpl
def register_functions():
    """The ``nilai_capaian_iki`` formula function."""
    return [NilaiCapaianIki]


@hookimpl
def register_report_formats():
    """The ``skp`` report format."""
    return [SkpReport]
