"""The table against a model: thousands of random inserts, updates,
deletes and selects, each answered exactly as a Python dict says it must
be, with .check proving every invariant of the file after every step and
a restart halfway through."""
import random
import string

MILESTONES = "02-05"


def random_row(rng, key):
    username = "".join(rng.choice(string.ascii_lowercase)
                       for _ in range(rng.randint(1, 32)))
    email = "".join(rng.choice(string.ascii_lowercase + "@.")
                    for _ in range(rng.randint(1, 255)))
    return (key, username, email)


def show(row):
    return "(%d, %s, %s)\n" % row


def workload(rng, model, n_ops, max_key):
    """N_OPS random statements; returns [(line, expected reply)] and
    updates MODEL as the database must change."""
    steps = []
    for _ in range(n_ops):
        key = rng.randint(1, max_key)
        op = rng.choices(["insert", "delete", "update", "select_one",
                          "select"], [45, 30, 12, 10, 3])[0]
        if op == "insert":
            row = random_row(rng, key)
            line = "insert %d %s %s" % row
            if key in model:
                reply = "Error: Duplicate key.\n"
            else:
                model[key] = row
                reply = "Executed.\n"
        elif op == "update":
            row = random_row(rng, key)
            line = "update %d %s %s" % row
            if key in model:
                model[key] = row
                reply = "Executed.\n"
            else:
                reply = "Error: Key not found.\n"
        elif op == "delete":
            line = "delete %d" % key
            reply = "Executed.\n" if model.pop(key, None) else \
                "Error: Key not found.\n"
        elif op == "select_one":
            line = "select %d" % key
            reply = show(model[key]) + "Executed.\n" if key in model else \
                "Error: Key not found.\n"
        else:
            line = "select"
            reply = "".join(show(model[k]) for k in sorted(model)) + \
                "Executed.\n"
        steps.append((line, reply))
    return steps


def run_checked(t, db, steps, first_step):
    """Runs STEPS in one session with .check after each; compares every
    reply with the model's."""
    lines = []
    for line, _ in steps:
        lines += [line, ".check"]
    replies = t.replies(t.session(db, lines))
    for i, (line, expected) in enumerate(steps):
        step = first_step + i
        t.check_equal(replies[2 * i], expected,
                      "step %d, %r" % (step, line[:60]))
        t.check_equal(replies[2 * i + 1], "ok\n",
                      ".check after step %d, %r" % (step, line[:60]))


def model_round(t, seed, n_ops, max_key):
    rng = random.Random(seed)
    model = {}
    db = "model%d.db" % max_key
    first = workload(rng, model, n_ops // 2, max_key)
    run_checked(t, db, first, 1)
    # A restart: everything must come back from the file.
    second = workload(rng, model, n_ops - n_ops // 2, max_key)
    second.append(("select", "".join(show(model[k]) for k in sorted(model))
                   + "Executed.\n"))
    run_checked(t, db, second, n_ops // 2 + 1)


def test_model_dense_keys(t):
    """Keys from 1 to 60: the table stays small, so nodes split, borrow,
    merge and collapse over and over."""
    model_round(t, t.seed, 2000, 60)


def test_model_sparse_keys(t):
    """Keys from 1 to 600: a deeper tree, mostly inserts that split."""
    model_round(t, t.seed + 1, 3000, 600)


def test_model_insert_then_delete_all(t):
    """Fill the table with 400 rows in random order, then delete every
    one in another random order, checking after each step; the tree ends
    as one empty leaf."""
    rng = random.Random(t.seed + 2)
    keys = list(range(1, 401))
    rng.shuffle(keys)
    steps = [("insert %d %s %s" % random_row(rng, k), "Executed.\n")
             for k in keys]
    rng.shuffle(keys)
    steps += [("delete %d" % k, "Executed.\n") for k in keys]
    steps.append(("select", "Executed.\n"))
    run_checked(t, "all.db", steps, 1)
