"""Journey analyses: funnels, retention, lifecycle, stickiness, paths and saved cohorts.

Each analysis is a typed Query, a function that builds Ibis expressions over the store, and a
typed Result with to_frame() and to_dict(). People are counted after identity stitching.
"""
