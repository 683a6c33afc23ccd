"""Målområde 3: Makt och mäns våld mot kvinnor (frågor om våldsutsatthet)."""

from pages._shared import render_malomrade

render_malomrade("mans-vald-mot-kvinnor")
