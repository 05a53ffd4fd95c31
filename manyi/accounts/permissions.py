"""What each role may do. One table, read by views, templates and tests alike.

A capability is a short dotted name. Views ask `user.can("customers.edit")`; nothing else
in the code compares role names, so changing who may do what is a change to this table.
"""

from .choices import Role

VIEW_CUSTOMERS = "customers.view"
EDIT_CUSTOMERS = "customers.edit"
DELETE_CUSTOMERS = "customers.delete"
IMPORT_CUSTOMERS = "customers.import"
EXPORT_CUSTOMERS = "customers.export"
VIEW_PERSONAL_DATA = "personal_data.view"
VIEW_AUDIT_LOG = "audit.view"
MANAGE_USERS = "users.manage"

ROLE_CAPABILITIES = {
    Role.ADMINISTRATOR: {
        VIEW_CUSTOMERS,
        EDIT_CUSTOMERS,
        DELETE_CUSTOMERS,
        IMPORT_CUSTOMERS,
        EXPORT_CUSTOMERS,
        VIEW_PERSONAL_DATA,
        VIEW_AUDIT_LOG,
        MANAGE_USERS,
    },
    Role.SUPERVISOR: {
        VIEW_CUSTOMERS,
        EDIT_CUSTOMERS,
        IMPORT_CUSTOMERS,
        EXPORT_CUSTOMERS,
        VIEW_PERSONAL_DATA,
    },
    Role.AGENT: {VIEW_CUSTOMERS, EDIT_CUSTOMERS, VIEW_PERSONAL_DATA},
    # Handlers fix problems in their department; they see customers but not contact data
    # unless an administrator grants it to them personally.
    Role.HANDLER: {VIEW_CUSTOMERS},
    Role.ANALYST: {VIEW_CUSTOMERS, EXPORT_CUSTOMERS},
}

# Capabilities an administrator may grant to one user on top of the role.
GRANTABLE = {VIEW_PERSONAL_DATA}


def role_can(role, capability):
    return capability in ROLE_CAPABILITIES.get(role, set())
