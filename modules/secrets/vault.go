package secrets

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/bifrost-automation/bifrost/platform/config"
	"github.com/bifrost-automation/bifrost/platform/crypto"
	"github.com/bifrost-automation/bifrost/platform/db"
)

type dataKey struct {
	bun.BaseModel `bun:"table:data_keys"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	OrganizationID *uuid.UUID `bun:"organization_id,type:uuid"`
	WrappedKey     []byte     `bun:"wrapped_key,notnull"`
	MasterKeyID    string     `bun:"master_key_id,notnull"`
	CreatedAt      time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	RewrappedAt    *time.Time `bun:"rewrapped_at"`
}

// Vault encrypts values for an organization: each organization (and the
// global scope) has one data key, wrapped by the master key; values are
// sealed under the data key with the identity of their row as associated
// data, so a ciphertext copied to another row, column or organization does
// not decrypt.
type Vault struct {
	db   *db.DB
	ring *crypto.Ring

	mu   sync.RWMutex
	keys map[uuid.UUID]cachedKey // unwrapped data keys by id
}

type cachedKey struct {
	key []byte
	org *uuid.UUID
}

// NewVault makes a vault over the data_keys table.
func NewVault(d *db.DB, ring *crypto.Ring) *Vault {
	return &Vault{db: d, ring: ring, keys: map[uuid.UUID]cachedKey{}}
}

func orgLabel(org *uuid.UUID) string {
	if org == nil {
		return "global"
	}
	return org.String()
}

func wrapAAD(org *uuid.UUID) []byte { return []byte("bifrost data key|" + orgLabel(org)) }

// SealedValue is a value sealed by the vault.
type SealedValue struct {
	Ciphertext []byte
	DataKeyID  uuid.UUID
}

// Seal encrypts plaintext for org. aad names what the value is (for
// example "secret|<id>|value"); the organization is added to it.
func (v *Vault) Seal(ctx context.Context, org *uuid.UUID, aad string, plaintext []byte) (SealedValue, error) {
	id, key, err := v.current(ctx, org)
	if err != nil {
		return SealedValue{}, err
	}
	ct, err := crypto.Seal(key, plaintext, []byte(aad+"|"+orgLabel(org)))
	if err != nil {
		return SealedValue{}, err
	}
	return SealedValue{Ciphertext: ct, DataKeyID: id}, nil
}

// Open decrypts a value sealed for org with the same aad.
func (v *Vault) Open(ctx context.Context, org *uuid.UUID, aad string, s SealedValue) ([]byte, error) {
	key, keyOrg, err := v.byID(ctx, s.DataKeyID)
	if err != nil {
		return nil, err
	}
	if orgLabel(keyOrg) != orgLabel(org) {
		return nil, crypto.ErrDecrypt
	}
	return crypto.Open(key, s.Ciphertext, []byte(aad+"|"+orgLabel(org)))
}

// current returns the organization's data key, creating it on first use.
func (v *Vault) current(ctx context.Context, org *uuid.UUID) (uuid.UUID, []byte, error) {
	row := new(dataKey)
	q := v.db.NewSelect().Model(row)
	if org == nil {
		q = q.Where("organization_id IS NULL")
	} else {
		q = q.Where("organization_id = ?", *org)
	}
	err := q.Scan(ctx)
	if db.IsNoRows(err) {
		// Two processes may race to create it; the unique index keeps one.
		fresh := crypto.NewKey()
		wrapped, masterID, werr := v.ring.Wrap(fresh, wrapAAD(org))
		if werr != nil {
			return uuid.Nil, nil, werr
		}
		_, err = v.db.NewInsert().Model(&dataKey{OrganizationID: org, WrappedKey: wrapped, MasterKeyID: masterID}).
			On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			return uuid.Nil, nil, fmt.Errorf("secrets vault: create data key: %w", err)
		}
		return v.current(ctx, org)
	}
	if err != nil {
		return uuid.Nil, nil, fmt.Errorf("secrets vault: read data key: %w", err)
	}
	key, err := v.unwrap(row)
	return row.ID, key, err
}

func (v *Vault) byID(ctx context.Context, id uuid.UUID) ([]byte, *uuid.UUID, error) {
	v.mu.RLock()
	c, ok := v.keys[id]
	v.mu.RUnlock()
	if ok {
		return c.key, c.org, nil
	}
	row := new(dataKey)
	if err := v.db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("secrets vault: read data key: %w", err)
	}
	key, err := v.unwrap(row)
	return key, row.OrganizationID, err
}

func (v *Vault) unwrap(row *dataKey) ([]byte, error) {
	v.mu.RLock()
	c, ok := v.keys[row.ID]
	v.mu.RUnlock()
	if ok {
		return c.key, nil
	}
	key, err := v.ring.Unwrap(row.WrappedKey, row.MasterKeyID, wrapAAD(row.OrganizationID))
	if err != nil {
		return nil, fmt.Errorf("secrets vault: unwrap data key %s: %w", row.ID, err)
	}
	v.mu.Lock()
	v.keys[row.ID] = cachedKey{key: key, org: row.OrganizationID}
	v.mu.Unlock()
	return key, nil
}

// RotateResult says what a master key rotation did.
type RotateResult struct {
	Rewrapped int
	Current   int
}

// Rewrap rewraps every data key that is not wrapped by the current master
// key. The data keys themselves do not change, so nothing encrypted with
// them needs rewriting and running processes keep working throughout.
func (v *Vault) Rewrap(ctx context.Context) (RotateResult, error) {
	var res RotateResult
	var rows []dataKey
	if err := v.db.NewSelect().Model(&rows).Scan(ctx); err != nil {
		return res, fmt.Errorf("secrets vault: list data keys: %w", err)
	}
	for i := range rows {
		row := &rows[i]
		if row.MasterKeyID == v.ring.CurrentID() {
			res.Current++
			continue
		}
		key, err := v.ring.Unwrap(row.WrappedKey, row.MasterKeyID, wrapAAD(row.OrganizationID))
		if err != nil {
			return res, fmt.Errorf("secrets vault: data key %s: %w", row.ID, err)
		}
		wrapped, masterID, err := v.ring.Wrap(key, wrapAAD(row.OrganizationID))
		if err != nil {
			return res, err
		}
		now := time.Now()
		// Only if no other rotation changed the row meanwhile.
		r, err := v.db.NewUpdate().Model((*dataKey)(nil)).
			Set("wrapped_key = ?, master_key_id = ?, rewrapped_at = ?", wrapped, masterID, now).
			Where("id = ? AND master_key_id = ?", row.ID, row.MasterKeyID).Exec(ctx)
		if err != nil {
			return res, fmt.Errorf("secrets vault: rewrap data key %s: %w", row.ID, err)
		}
		if n, _ := r.RowsAffected(); n == 1 {
			res.Rewrapped++
		}
	}
	return res, nil
}

// KeyStatus describes the data keys and whether the configured master
// keys open them.
type KeyStatus struct {
	// ByMaster counts data keys by the id of the master key that wraps
	// them.
	ByMaster map[string]int
	// Unreadable lists data keys no configured master key opens.
	Unreadable []string
}

// Check unwraps every data key with the configured master keys, without
// decrypting any value.
func (v *Vault) Check(ctx context.Context) (KeyStatus, error) {
	st := KeyStatus{ByMaster: map[string]int{}}
	var rows []dataKey
	if err := v.db.NewSelect().Model(&rows).OrderExpr("created_at").Scan(ctx); err != nil {
		return st, fmt.Errorf("secrets vault: list data keys: %w", err)
	}
	for i := range rows {
		row := &rows[i]
		st.ByMaster[row.MasterKeyID]++
		if _, err := v.ring.Unwrap(row.WrappedKey, row.MasterKeyID, wrapAAD(row.OrganizationID)); err != nil {
			st.Unreadable = append(st.Unreadable, fmt.Sprintf("%s (%s, master key %s)", row.ID, orgLabel(row.OrganizationID), row.MasterKeyID))
		}
	}
	return st, nil
}

// Stale counts data keys still wrapped by a previous master key.
func (v *Vault) Stale(ctx context.Context) (int, error) {
	n, err := v.db.NewSelect().Model((*dataKey)(nil)).Where("master_key_id <> ?", v.ring.CurrentID()).Count(ctx)
	return int(n), err
}

// RingFromConfig builds the master key ring: secrets.master_key, or a key
// derived from secret_key when none is set, and the previous keys of a
// rotation in progress. The derived key always stays in the ring as a
// previous key, so an installation that started without a master key moves
// to one with an ordinary rotation.
func RingFromConfig(c config.SecretsConfig, secretKey string) (*crypto.Ring, error) {
	derived, err := crypto.NewMasterKey(crypto.Derive(secretKey, "secrets master key v1"))
	if err != nil {
		return nil, err
	}
	current := derived
	if c.MasterKey != "" {
		if current, err = crypto.ParseMasterKey(c.MasterKey); err != nil {
			return nil, fmt.Errorf("secrets.master_key: %w", err)
		}
	}
	previous := []crypto.MasterKey{derived}
	for i, s := range c.PreviousMasterKeys {
		k, err := crypto.ParseMasterKey(s)
		if err != nil {
			return nil, fmt.Errorf("secrets.previous_master_keys[%d]: %w", i, err)
		}
		previous = append(previous, k)
	}
	return crypto.NewRing(current, previous...), nil
}
