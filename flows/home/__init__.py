"""The App Home: what each person sees when they open the app (what waits for them, their groups, the register)."""
from flows.home.listing import Listing
from flows.home.register import PAGE_SIZE, RegisterFilter, RegisterPage
from flows.home.service import Home, HomeService, Register, compose

__all__ = ["PAGE_SIZE", "Home", "HomeService", "Listing", "Register", "RegisterFilter", "RegisterPage", "compose"]
