def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_a_user_logs_in_with_the_right_password(people, client):
    response = login(client, "amy", "correct horse battery")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_shows_the_form_again(people, client):
    response = login(client, "amy", "wrong")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get("/").status_code == 302


def test_five_failures_lock_the_account_even_for_the_right_password(people, client):
    for _ in range(5):
        login(client, "amy", "wrong")
    response = login(client, "amy", "correct horse battery")
    assert response.status_code == 429
    assert 'id="locked-out"' in response.content.decode()
    assert client.get("/").status_code == 302


def test_failures_for_one_user_do_not_lock_another(people, client):
    for _ in range(5):
        login(client, "amy", "wrong")
    assert login(client, "sam", "correct horse battery").status_code == 302


def test_a_disabled_user_cannot_log_in(people, client):
    assert login(client, "ivan", "correct horse battery").status_code == 200


def test_logout_needs_post_and_ends_the_session(people, client_as):
    client = client_as(people.amy)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_a_user_changes_the_password(people, client_as):
    client = client_as(people.amy)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "correct horse battery",
            "new_password1": "青山绿水2026!",
            "new_password2": "青山绿水2026!",
        },
    )
    assert response.status_code == 302
    people.amy.refresh_from_db()
    assert people.amy.check_password("青山绿水2026!")


def test_a_wrong_old_password_changes_nothing(people, client_as):
    client = client_as(people.amy)
    response = client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": "x9!Kq#22aa", "new_password2": "x9!Kq#22aa"},
    )
    assert response.status_code == 200
    people.amy.refresh_from_db()
    assert people.amy.check_password("correct horse battery")


def test_a_login_lasts_a_working_day_not_two_weeks(people, client, settings):
    """SESSION_COOKIE_AGE (12 hours by default): staff sessions reach customers' personal data."""
    response = login(client, "amy", "correct horse battery")
    assert int(response.cookies["sessionid"]["max-age"]) == 12 * 3600
    settings.SESSION_COOKIE_AGE = 3600
    client.logout()
    response = login(client, "amy", "correct horse battery")
    assert int(response.cookies["sessionid"]["max-age"]) == 3600
