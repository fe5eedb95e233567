package qtshm_test

// nativeQt66 is true when the native backend is built in against Qt ≥ 6.6 (set by an init in
// native68_test.go): then its QString-key behaviour is Qt 6.6+'s (qtshm.FlavorQt661), not the
// default flavour's.
var nativeQt66 bool
