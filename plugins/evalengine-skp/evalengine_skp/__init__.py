"""evalengine-skp: individual performance (SKP) achievement under PermenPANRB 8/2021.

Adds the ``skp_iki`` indicator type (target and realisasi → capaian IKI → kategori and
nilai capaian IKI), the ``nilai_capaian_iki`` formula function and the ``skp`` report
format (the table of the SKP form). It is also the worked example of docs/plugins.md.
"""

__version__ = "0.1.0"
