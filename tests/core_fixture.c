typedef int placeholder_fixture;
