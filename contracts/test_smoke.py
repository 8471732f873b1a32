def test_create_and_get_user(adapter):
    user = adapter.create_user(email=" Ann@Example.com ", password_hash="h")
    assert adapter.get_user(user.id) == user
    assert user.email == "ann@example.com"
