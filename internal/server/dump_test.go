package server
import ("testing";"context";"encoding/hex";"time"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types")
func TestDumpBody(t *testing.T) {
	c := &capture{}
	client := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", HTTPClient: c,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String("http://127.0.0.1:1"), DisableRequestCompression: true})
	client.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("Bench"), MetricData: []types.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(1.5), Timestamp: aws.Time(time.Now()), Unit: types.StandardUnitMilliseconds, StorageResolution: aws.Int32(1), Values: []float64{1}, Dimensions: []types.Dimension{{Name: aws.String("Host"), Value: aws.String("h")}}}}})
	t.Log(hex.Dump(c.body))
}
