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
VIEW_SURVEYS = "surveys.view"
EDIT_SURVEYS = "surveys.edit"
VIEW_CAMPAIGNS = "campaigns.view"
MANAGE_CAMPAIGNS = "campaigns.manage"
ENTER_RESPONSES = "responses.enter"
VIEW_RESPONSES = "responses.view"
# Individual answers of confidential campaigns (seed 001, GSTS: headquarters only).
VIEW_CONFIDENTIAL_RESPONSES = "responses.view_confidential"
# Dashboards and models: aggregates only; drill-down to answers also needs VIEW_RESPONSES.
VIEW_ANALYSIS = "analysis.view"

SURVEY_WORK = {VIEW_SURVEYS, VIEW_CAMPAIGNS, VIEW_RESPONSES}

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
        *SURVEY_WORK,
        EDIT_SURVEYS,
        MANAGE_CAMPAIGNS,
        ENTER_RESPONSES,
        VIEW_CONFIDENTIAL_RESPONSES,
        VIEW_ANALYSIS,
    },
    Role.SUPERVISOR: {
        VIEW_CUSTOMERS,
        EDIT_CUSTOMERS,
        IMPORT_CUSTOMERS,
        EXPORT_CUSTOMERS,
        VIEW_PERSONAL_DATA,
        *SURVEY_WORK,
        EDIT_SURVEYS,
        MANAGE_CAMPAIGNS,
        ENTER_RESPONSES,
        VIEW_ANALYSIS,
    },
    Role.AGENT: {VIEW_CUSTOMERS, EDIT_CUSTOMERS, VIEW_PERSONAL_DATA, *SURVEY_WORK, ENTER_RESPONSES},
    # Handlers fix problems in their department; they see customers but not contact data
    # unless an administrator grants it to them personally.
    Role.HANDLER: {VIEW_CUSTOMERS},
    # Analysts read everything, including confidential answers (the quality department at
    # headquarters), and change nothing.
    Role.ANALYST: {
        VIEW_CUSTOMERS,
        EXPORT_CUSTOMERS,
        *SURVEY_WORK,
        VIEW_CONFIDENTIAL_RESPONSES,
        VIEW_ANALYSIS,
    },
}


def role_can(role, capability):
    return capability in ROLE_CAPABILITIES.get(role, set())
