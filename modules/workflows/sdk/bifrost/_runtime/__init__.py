"""Bifrost's runtime for workflows: discovery, the zygote and the runs.

Internal: the worker starts these; workflows never import them.
"""
