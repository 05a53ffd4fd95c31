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
# Setting and lifting a campaign's confidentiality (administrators only; audited): whoever
# could lift it could then read the individual answers it protects.
SET_CAMPAIGN_CONFIDENTIALITY = "campaigns.set_confidentiality"
ENTER_RESPONSES = "responses.enter"
VIEW_RESPONSES = "responses.view"
# Individual answers of confidential campaigns (seed 001, GSTS: headquarters only).
VIEW_CONFIDENTIAL_RESPONSES = "responses.view_confidential"
# Dashboards and models: aggregates only; drill-down to answers also needs VIEW_RESPONSES.
VIEW_ANALYSIS = "analysis.view"
# Feedback and complaint tickets (issue 5). Which transition needs which capability is the
# table in manyi/tickets/workflow.py; handlers are further limited to their own department.
VIEW_TICKETS = "tickets.view"
CREATE_TICKETS = "tickets.create"  # intake, acknowledge (受理)
REPLY_TICKETS = "tickets.reply"  # reply to the customer (营销支持科 / 客服部, seed 002)
WORK_TICKETS = "tickets.work"  # investigate, root cause, corrective and preventive actions
VERIFY_TICKETS = "tickets.verify"  # verify the actions and the outcome
MANAGE_TICKETS = "tickets.manage"  # assign, close, reopen, invalid / duplicate, SLA policies
# Every department's tickets; without it (handlers) only the own department's, the ones assigned
# to the holder and the ones whose corrective action the holder owns (Ticket.objects.for_user).
VIEW_ALL_TICKETS = "tickets.view_all"
# Return visits (issue 6): an agent works own visit tasks; whoever manages them sees the team's
# (their department), edits rules, scripts and plans; reviewers approve or return records.
WORK_VISITS = "visits.work"
MANAGE_VISITS = "visits.manage"
REVIEW_VISITS = "visits.review"
VIEW_VISIT_REPORTS = "visits.report"
# The other visit capabilities over every team and the whole unassigned pool, not only the
# holder's department (administrators; analysts read every team's monthly report). Who sees
# which visit is decided once, from these, in manyi/visits/access.py.
VISITS_EVERY_TEAM = "visits.every_team"
# Improvement actions (改进措施, REQUIREMENTS §8); the rules are in manyi/improvements/workflow.py.
VIEW_IMPROVEMENTS = "improvements.view"
# Every improvement; without it (handlers) only the own and the own department's.
VIEW_ALL_IMPROVEMENTS = "improvements.view_all"
WORK_IMPROVEMENTS = "improvements.work"  # carry out and report the improvements one owns
MANAGE_IMPROVEMENTS = "improvements.manage"  # raise, assign, verify, close, cancel, tell customers
# Inspections and mystery-customer visits (项目品质巡检, 神秘客户暗访; issue 19): an inspector fills
# in own assignments; viewers read every inspection of their units and the results; managers edit
# checklists, assign, review and re-inspect. Who sees which is manyi/inspections/access.py.
VIEW_INSPECTIONS = "inspections.view"
WORK_INSPECTIONS = "inspections.work"
MANAGE_INSPECTIONS = "inspections.manage"
INSPECTION_WORK = {VIEW_INSPECTIONS, WORK_INSPECTIONS, MANAGE_INSPECTIONS}
# Invited-customer forums (特邀客户座谈会, issue 19): viewers read the forums of their units (who
# came, what was said, the minutes); managers record forums, invitations, attendance, opinions and
# minutes (turning an opinion into a ticket or an improvement also needs that capability). Who
# sees which is manyi/forums/access.py.
VIEW_FORUMS = "forums.view"
MANAGE_FORUMS = "forums.manage"

# Evaluation (考评, issue 19): the schemes' scorecards of the units the holder sees (their unit's
# subtree, manyi/organisation/access.py); managing schemes (indicators, computing, publishing,
# correcting) and recording rewards and penalties is the group's customer department
# (administrators); a unit's rewards and penalties are seen by whoever sees its scorecard and by
# the person concerned (manyi/evaluation/access.py).
VIEW_EVALUATION = "evaluation.view"
MANAGE_EVALUATION = "evaluation.manage"
# Other employees' own results (of the holder's unit subtree): their managers; everyone sees
# their own.
VIEW_STAFF_EVALUATION = "evaluation.view_staff"
# The ISO 9001 evidence pack (issue 19): the figures of the units the holder sees, for an auditor
# (the group's customer department, a region's supervisors, the quality department's analysts).
VIEW_EVIDENCE = "evidence.view"

# Company setup (公司设置): the company's industry, and the complaint categories and call scripts
# it brings; the category tree (administrators).
SET_UP_COMPANY = "company.setup"
# The organisation unit tree (集团 → 区域公司 → 项目) and who belongs where (administrators);
# which rows a unit's staff see is manyi/organisation/access.py.
MANAGE_ORGANISATION = "organisation.manage"

# Reports and exports (issue 7): answers out as files; report drafts, conclusions, publishing.
EXPORT_RESPONSES = "responses.export"
VIEW_REPORTS = "reports.view"
EDIT_REPORTS = "reports.edit"
REPORT_WORK = {EXPORT_RESPONSES, VIEW_REPORTS, EDIT_REPORTS}
SURVEY_WORK = {VIEW_SURVEYS, VIEW_CAMPAIGNS, VIEW_RESPONSES}
TICKET_WORK = {VIEW_TICKETS, VIEW_ALL_TICKETS, CREATE_TICKETS, REPLY_TICKETS, WORK_TICKETS}
VISIT_WORK = {WORK_VISITS, MANAGE_VISITS, REVIEW_VISITS, VIEW_VISIT_REPORTS}

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
        SET_CAMPAIGN_CONFIDENTIALITY,
        ENTER_RESPONSES,
        VIEW_CONFIDENTIAL_RESPONSES,
        VIEW_ANALYSIS,
        *REPORT_WORK,
        *TICKET_WORK,
        VERIFY_TICKETS,
        MANAGE_TICKETS,
        VIEW_IMPROVEMENTS,
        VIEW_ALL_IMPROVEMENTS,
        MANAGE_IMPROVEMENTS,
        *VISIT_WORK,
        VISITS_EVERY_TEAM,
        SET_UP_COMPANY,
        MANAGE_ORGANISATION,
        *INSPECTION_WORK,
        VIEW_FORUMS,
        MANAGE_FORUMS,
        VIEW_EVALUATION,
        MANAGE_EVALUATION,
        VIEW_STAFF_EVALUATION,
        VIEW_EVIDENCE,
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
        *REPORT_WORK,
        *TICKET_WORK,
        VERIFY_TICKETS,
        MANAGE_TICKETS,
        VIEW_IMPROVEMENTS,
        VIEW_ALL_IMPROVEMENTS,
        MANAGE_IMPROVEMENTS,
        *VISIT_WORK,
        *INSPECTION_WORK,
        VIEW_FORUMS,
        MANAGE_FORUMS,
        VIEW_EVALUATION,
        VIEW_STAFF_EVALUATION,
        VIEW_EVIDENCE,
    },
    Role.AGENT: {
        VIEW_CUSTOMERS,
        EDIT_CUSTOMERS,
        VIEW_PERSONAL_DATA,
        *SURVEY_WORK,
        ENTER_RESPONSES,
        VIEW_TICKETS,
        VIEW_ALL_TICKETS,
        CREATE_TICKETS,
        REPLY_TICKETS,
        VIEW_IMPROVEMENTS,
        VIEW_ALL_IMPROVEMENTS,
        WORK_VISITS,
        WORK_INSPECTIONS,
        VIEW_FORUMS,
        VIEW_EVALUATION,
    },
    # Handlers fix problems in their department; they see customers but not contact data
    # unless an administrator grants it to them personally.
    Role.HANDLER: {
        VIEW_CUSTOMERS,
        VIEW_TICKETS,
        WORK_TICKETS,
        VIEW_IMPROVEMENTS,
        WORK_IMPROVEMENTS,
        VIEW_EVALUATION,
    },
    # Analysts read everything, including confidential answers (the quality department at
    # headquarters), and export it (REQUIREMENTS §9: "analyst (read only)"); they change no
    # customer, survey, ticket, visit or report: reports are written and published by
    # supervisors and administrators.
    Role.ANALYST: {
        VIEW_CUSTOMERS,
        EXPORT_CUSTOMERS,
        *SURVEY_WORK,
        VIEW_CONFIDENTIAL_RESPONSES,
        VIEW_ANALYSIS,
        EXPORT_RESPONSES,
        VIEW_REPORTS,
        VIEW_TICKETS,
        VIEW_ALL_TICKETS,
        VIEW_IMPROVEMENTS,
        VIEW_ALL_IMPROVEMENTS,
        VIEW_VISIT_REPORTS,
        VISITS_EVERY_TEAM,
        VIEW_INSPECTIONS,
        VIEW_FORUMS,
        VIEW_EVALUATION,
        VIEW_EVIDENCE,
    },
}


def role_can(role, capability):
    return capability in ROLE_CAPABILITIES.get(role, set())


def roles_with(capability):
    """The roles whose table row holds the capability (for a query over users)."""
    return [role for role, capabilities in ROLE_CAPABILITIES.items() if capability in capabilities]
