"""Tests of the training plugin."""
