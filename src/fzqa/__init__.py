"""fzqa: a knowledge graph with cited question answering over Chinese rule-of-law measures."""

__version__ = "0.1.0"
