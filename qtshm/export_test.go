package qtshm

// WithoutUndo is withoutUndo, for the tests of the doorbell's bells.
var WithoutUndo = withoutUndo
