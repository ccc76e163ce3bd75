package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/web"
)

// runUserPasswd sets a user's password, read from the first line of standard
// input so that it never appears in the process list or shell history. It
// applies the web's password policy and ends the user's sessions.
func runUserPasswd(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("user passwd")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	email := fs.String("email", "", "the user's email address")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if err := requireFlags("partnership", *key, "email", *email); err != nil {
		return err
	}
	if env.Stdin == nil {
		return usagef("the new password is read from standard input")
	}
	line, err := bufio.NewReaderSize(env.Stdin, 8192).ReadString('\n')
	if err != nil && line == "" {
		return usagef("no password on standard input: e.g. printf '%%s\\n' \"$PW\" | escalate user passwd ...")
	}
	pw := strings.TrimRight(line, "\r\n")
	db, p, err := openPartnership(ctx, env, *dsn, *key)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := web.CheckNewPassword(pw, web.PasswordContext{PartnershipKey: p.Key, PartnershipName: p.Name, Email: *email}); err != nil {
		return usagef("the new password on standard input: %s", escalate.ErrorMessage(err))
	}
	u, err := db.SetPassword(cliContext(ctx, env), *key, *email, pw)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(env.Stdout, "Set the password of user %d; any sessions they had have ended.\n", u.ID)
	return nil
}
