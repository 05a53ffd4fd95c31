"""Who sees and who may assign which return visits: the one rule (issue 15), decided here.

Words. A *task* is a visit to make (VisitTask). Its *team* is its department: the agent's when
it was planned or assigned. The *unassigned pool* is the tasks with no agent: a team's (its
agent left) and those with no team at all (the customer has no owner who works visits). A
*manager* holds visits.manage; the team they manage is their department. The capabilities are
in manyi/accounts/permissions.py; nothing here or elsewhere compares role names.

    who (capabilities)               tasks: see, work       pool: assign  may assign to         plans        records to review    monthly report
    agent (work)                     own                    –             –                     –            –                    –
    supervisor of team T             own, T's, the pool     T's and the   active members of T   rows of T's  records of those     T's tasks
      (work, manage, review, report)   with no team           no-team pool  who work visits       agents       tasks, not their own
    supervisor without a team        own                    –             –                     –            –                    –
    administrator (+ every_team)     all                    all           every active user     all          all, not their own   all
                                                                            who works visits
    analyst, the quality department  –                      –             –                     –            –                    all teams
      (report + every_team)
    handler, a disabled account      –                      –             –                     –            –                    –

- Seeing a task (the call screen, the worklist, its record, the customer timeline's link) is
  being allowed to work it: record outcomes, complete it, open a ticket from its record.
- Managing a task (assign, cancel) is seeing it while managing a team (or every team).
- Reviewing a record is managing its task with visits.review, and not having written it.
- Correcting a record is for the agent who wrote it, once it was returned to them.
- A supervisor without a team manages nobody: their own tasks are worked as an agent works
  them, and they assign, plan, review and report nothing (they get a team from an administrator).
"""
