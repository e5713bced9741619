"""The formula function ``nilai_capaian_iki(capaian[, max_target])``."""

from __future__ import annotations

from evalengine.evaluate.functions import Function

from .conversion import convert


class NilaiCapaianIki(Function):
    """Nilai capaian IKI for a capaian in percent (PermenPANRB 8/2021)."""

    name = "nilai_capaian_iki"
    signature = "nilai_capaian_iki(capaian, max_target=false)"
    description = "capaian IKI in % → nilai capaian IKI (0–120), PermenPANRB 8/2021"
    min_args = 1
    max_args = 2

    def apply(self, args, node, interp):
        capaian = interp.number(args[0], node)
        max_target = False
        if len(args) == 2:
            if not isinstance(args[1], bool):
                raise interp.fail(node, "max_target must be true or false")
            max_target = args[1]
        return convert(capaian, max_target=max_target).nilai
