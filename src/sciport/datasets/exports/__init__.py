"""Exports of a version's record for the clients research tools already speak: DCAT 3, Croissant 1.0, RO-Crate 1.1.

``record.describe`` reads the stored DataCite metadata and the file rows once into plain
values; each format module only arranges them in its own vocabulary.
"""
