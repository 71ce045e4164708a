package client

// HoldProjectReads makes c behave as if a project read were in flight, so
// that the reads made meanwhile wait in batches whatever the timing:
// waiting counts them, release sends the batches.
func HoldProjectReads(c *Client) (waiting func() int, release func()) {
	b := &c.projectBatches
	b.mu.Lock()
	b.running = true
	b.mu.Unlock()
	waiting = func() int {
		b.mu.Lock()
		defer b.mu.Unlock()
		n := 0
		for _, batch := range b.waiting {
			n += len(batch.ids)
		}
		return n
	}
	release = func() { go b.sendWaiting(c.projectsWithIDs) }
	return waiting, release
}
