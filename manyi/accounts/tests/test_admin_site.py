from manyi.accounts.models import User


def test_an_administrator_adds_a_handler_in_a_department(people, client_as):
    client = client_as(people.alice)
    assert client.get("/admin/accounts/user/add/").status_code == 200
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "zhoumin",
            "password1": "Qa-dept-2026!x",
            "password2": "Qa-dept-2026!x",
            "usable_password": "true",
            "role": "handler",
            "department": people.quality.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="zhoumin")
    assert (user.role, user.department, user.is_staff) == ("handler", people.quality, False)
    assert not user.can("customers.edit") and user.can("customers.view")


def test_administrators_are_staff_and_others_are_not(people):
    assert people.alice.is_staff
    assert not any(u.is_staff for u in [people.sam, people.amy, people.hank, people.ana])


def test_demoting_an_administrator_takes_the_admin_site_away(people, client_as):
    people.alice.role = "analyst"
    people.alice.save()
    response = client_as(people.alice).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
