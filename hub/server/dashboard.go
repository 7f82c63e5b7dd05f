package server

import (
	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// recordHistory keeps today's point of every collection for the
// dashboard's history (the last report of a day stands for the day).
func (s *Server) recordHistory(r health.Report) {
	day := store.DayOf(r.GeneratedAt)
	var points []store.HealthPoint
	for _, c := range r.Collections {
		protected := c.ByCopies[len(c.ByCopies)-1]
		points = append(points, store.HealthPoint{Day: day, Collection: c.Name, Files: c.Files, Bytes: c.Bytes,
			FilesAtRisk: c.FilesBelowTarget, BytesProtected: protected.Bytes})
	}
	if err := s.donors.RecordHealth(points); err != nil {
		s.log.Warn("record health history", "err", err)
	}
}
