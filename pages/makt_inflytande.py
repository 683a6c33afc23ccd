"""Målområde 1: Makt, inflytande och ekonomisk jämställdhet."""

from pages._shared import render_malomrade

render_malomrade("makt-inflytande-ekonomi")
