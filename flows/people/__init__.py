"""People are the app's own: an opaque id, with an account on zero or more chat platforms.

A moderator who is on no platform (many volunteers) is a person too; a member of staff on two platforms is one
person with two accounts. Domain rows store person ids; only adapters read accounts."""
from flows.people.models import Person, PlatformAccount
from flows.people.service import account_of, accounts_of, new_person, person_for_account, person_of_account

__all__ = ["Person", "PlatformAccount", "account_of", "accounts_of", "new_person", "person_for_account",
           "person_of_account"]
