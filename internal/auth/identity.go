package auth

import "time"

// Identity is an authenticated caller, as handlers and audit see it.
type Identity struct {
	AccountID   string
	AccessKeyID string
	// Principal is the caller's ARN: "arn:aws:iam::<account>:root" for the
	// account's root key, "arn:aws:iam::<account>:user/<name>" for a user's.
	Principal string
	// PrincipalID is the AWS "UserId" (GetCallerIdentity, CloudTrail
	// userIdentity.principalId): the account id for root, an "AIDA…" id for
	// a user.
	PrincipalID string
	Type        string // "Root" or "IAMUser"
	UserName    string // empty for root
	Region      string // from the credential scope
	Service     string // from the credential scope (the gateway cross-checks it)
	// SignedAt is the request's signing time (X-Amz-Date or Date).
	SignedAt time.Time
	// Presigned is true for query-string (presigned URL) authentication.
	Presigned bool
	// Verified is false only for a dev-mode key unknown to the KeyStore,
	// whose signature could not be checked.
	Verified bool
}

const (
	TypeRoot    = "Root"
	TypeIAMUser = "IAMUser"
)

// principal holds the parts of an Identity that depend only on the key.
type principal struct {
	account, arn, id, typ, user string
}

func principalFor(account, user string) principal {
	if user == "" {
		return principal{account: account, arn: "arn:aws:iam::" + account + ":root", id: account, typ: TypeRoot}
	}
	return principal{
		account: account,
		arn:     "arn:aws:iam::" + account + ":user/" + user,
		id:      userID(account, user),
		typ:     TypeIAMUser,
		user:    user,
	}
}
