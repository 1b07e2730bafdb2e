"""Fixture rendering: bulletin specs (expected extraction output) written as PDF, DOCX, HTML and
text the way government offices produce them, plus deliberately broken inputs."""
from .spec import BulletinSpec, HeaderCell, TableSpec, spec_from_dict, spec_to_dict, spec_to_text

__all__ = ["BulletinSpec", "HeaderCell", "TableSpec", "spec_from_dict", "spec_to_dict", "spec_to_text"]
