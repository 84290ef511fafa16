"""Adaptive Cards (version 1.5, what Teams renders) built from the Teams SDK's typed models."""
