package cli

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/richs/richsops/ops/config"
)

// The JSON every command prints follows one set of rules (README, "JSON"),
// enforced here rather than by each type's tags, so that a struct added
// later cannot break them:
//   - keys are the json tag, else the toml tag (the config's own names),
//     else the field name in snake_case;
//   - a list or map that is nil is [] or {}, never null, unless its json
//     tag has the option "null": there nil means "unknown, could not be
//     read" (jobs list "processes");
//   - a duration (time.Duration, config.Duration) is a number of seconds
//     and its key ends in "_s".
//
// Values that marshal themselves (time.Time) are left to encoding/json.

var (
	durationType       = reflect.TypeFor[time.Duration]()
	configDurationType = reflect.TypeFor[config.Duration]()
	jsonMarshaler      = reflect.TypeFor[json.Marshaler]()
	textMarshaler      = reflect.TypeFor[encoding.TextMarshaler]()
	errorType          = reflect.TypeFor[error]()
)

// member is one key of an object, in field order.
type member struct {
	key string
	val any
}

// object keeps the fields' order, which a map would lose.
type object []member

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(m.val)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jsonValue is v as the rules above want it encoded.
func jsonValue(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	t := v.Type()
	switch {
	case t == durationType:
		return time.Duration(v.Int()).Seconds()
	case t == configDurationType:
		return v.Interface().(config.Duration).Seconds()
	case t.Kind() == reflect.Interface:
		if v.IsNil() {
			return nil
		}
		if t.Implements(errorType) {
			return v.Interface().(error).Error()
		}
		return jsonValue(v.Elem())
	case t.Kind() == reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		if t.Implements(jsonMarshaler) || t.Implements(textMarshaler) {
			return v.Interface()
		}
		return jsonValue(v.Elem())
	case t.Implements(jsonMarshaler) || t.Implements(textMarshaler):
		return v.Interface()
	}
	switch t.Kind() {
	case reflect.Struct:
		o := object{}
		addFields(&o, v)
		return o
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return v.Interface() // []byte: base64, as encoding/json does
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = jsonValue(v.Index(i))
		}
		return out
	case reflect.Map:
		o := object{}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(mapKey(a), mapKey(b)) })
		for _, k := range keys {
			o = append(o, member{mapKey(k), jsonValue(v.MapIndex(k))})
		}
		return o
	}
	return v.Interface()
}

func mapKey(k reflect.Value) string {
	if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
		b, _ := tm.MarshalText()
		return string(b)
	}
	b, _ := json.Marshal(k.Interface())
	return strings.Trim(string(b), `"`)
}

// addFields appends v's exported fields to o; an embedded struct's fields
// come in as its own, as encoding/json does.
func addFields(o *object, v reflect.Value) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fv := v.Field(i)
		tag, hasTag := f.Tag.Lookup("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" && opts == "" {
			continue
		}
		if f.Anonymous && !hasTag {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				fv, et = fv.Elem(), et.Elem()
			}
			if et.Kind() == reflect.Struct && !et.Implements(jsonMarshaler) && !et.Implements(textMarshaler) {
				addFields(o, fv)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			if tt, _, _ := strings.Cut(f.Tag.Get("toml"), ","); tt != "" && tt != "-" {
				name = tt
			} else {
				name = snake(f.Name)
			}
		}
		options := strings.Split(opts, ",")
		if slices.Contains(options, "omitempty") && isEmpty(fv) || slices.Contains(options, "omitzero") && fv.IsZero() {
			continue
		}
		if t := f.Type; (t == durationType || t == configDurationType) && !strings.HasSuffix(name, "_s") {
			name += "_s"
		}
		var val any // a nil list tagged "null" stays null: unknown
		if k := fv.Kind(); !(slices.Contains(options, "null") && (k == reflect.Slice || k == reflect.Map) && fv.IsNil()) {
			val = jsonValue(fv)
		}
		*o = append(*o, member{name, val})
	}
}

// isEmpty is encoding/json's omitempty test.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// snake is ReadOnly → read_only, DurationMS → duration_ms, PID → pid.
func snake(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) {
			prevLower := i > 0 && (unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1]))
			nextLower := i > 0 && i+1 < len(r) && unicode.IsUpper(r[i-1]) && unicode.IsLower(r[i+1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}
